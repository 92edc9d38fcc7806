package ai.phoneagent.control.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.control.Events;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiRequestTest {

    @Test
    void readsMethodPathQueryAndHeadersFromAPayloadV2Event() {
        ApiRequest request = ApiRequest.fromEvent(Events.request("get", "/control/calls")
                .query("status=recent&limit=5&cursor=a%2Bb&limit=9")
                .header("Idempotency-Key", "k1").build());
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/control/calls");
        assertThat(request.query("status")).contains("recent");
        assertThat(request.query("limit")).contains("5");
        assertThat(request.query("cursor")).contains("a+b");
        assertThat(request.header("idempotency-key")).contains("k1");
        assertThat(request.header("IDEMPOTENCY-KEY")).contains("k1");
        assertThat(request.rawQuery()).isEqualTo("status=recent&limit=5&cursor=a%2Bb&limit=9");
    }

    @Test
    void decodesBase64Bodies() {
        ApiRequest request = ApiRequest.fromEvent(Events.request("POST", "/control/calls/a/hangup")
                .base64Body("{\"reason\":\"é\"}".getBytes(StandardCharsets.UTF_8)).build());
        assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("{\"reason\":\"é\"}");
    }

    @Test
    void invalidBase64IsABadRequestWhenTheBodyIsRead() {
        for (String body : new String[] {"%%%not base64", "e3!0=", "e3\n0="}) {
            var event = Events.request("POST", "/control/calls/a/hangup").body(body).build();
            event.setIsBase64Encoded(true);
            ApiRequest request = ApiRequest.fromEvent(event);
            assertThatThrownBy(request::body).as(body).isInstanceOfSatisfying(ApiError.class,
                    e -> assertThat(e.code()).isEqualTo("invalid_request"));
        }
    }

    @Test
    void bodiesOverSixteenKibibytesAre413EvenWhenBase64Encoded() {
        byte[] big = new byte[ApiRequest.MAX_BODY_BYTES + 1];
        for (ApiRequest request : new ApiRequest[] {
                ApiRequest.fromEvent(Events.request("POST", "/x").body("a".repeat(big.length)).build()),
                ApiRequest.fromEvent(Events.request("POST", "/x").base64Body(big).build()),
                ApiRequest.fromEvent(Events.request("POST", "/x").base64Body(new byte[200_000]).build())}) {
            assertThatThrownBy(request::body).isInstanceOfSatisfying(ApiError.class, e -> {
                assertThat(e.status()).isEqualTo(413);
                assertThat(e.code()).isEqualTo("payload_too_large");
            });
        }
        byte[] exact = new byte[ApiRequest.MAX_BODY_BYTES];
        assertThat(ApiRequest.fromEvent(Events.request("POST", "/x").base64Body(exact).build()).body()).hasSize(exact.length);
    }

    @Test
    void aNamedStageIsRemovedFromThePath() {
        assertThat(ApiRequest.fromEvent(Events.request("GET", "/prod/control/calls").stage("prod").build()).path())
                .isEqualTo("/control/calls");
        assertThat(ApiRequest.fromEvent(Events.request("GET", "/control/calls").stage("$default").build()).path())
                .isEqualTo("/control/calls");
    }

    @Test
    void aMissingBodyIsEmpty() {
        assertThat(ApiRequest.of("POST", "/x", null, Map.of(), null, null).body()).isEmpty();
    }
}
