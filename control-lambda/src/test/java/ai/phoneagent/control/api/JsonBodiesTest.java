package ai.phoneagent.control.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBodiesTest {
    private static ApiRequest body(String text, String contentType) {
        return ApiRequest.of("POST", "/control/calls/a/hangup", "",
                contentType == null ? Map.of() : Map.of("Content-Type", contentType),
                text.getBytes(StandardCharsets.UTF_8), "r");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n\t", "{}", "null"})
    void emptyOrBlankBodiesAreAnEmptyObject(String text) {
        assertThat(JsonBodies.object(body(text, null))).isEmpty();
        assertThat(JsonBodies.object(body(text, "application/json"))).isEmpty();
    }

    @Test
    void aJsonBodyIsParsedWhateverTheContentType() {
        assertThat(JsonBodies.object(body("{\"reason\":\"x\"}", "text/plain")).get("reason").asText()).isEqualTo("x");
        assertThat(JsonBodies.object(body("{\"reason\":\"x\"}", null)).get("reason").asText()).isEqualTo("x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "not json", "[]", "[1]", "\"text\"", "42", "{} {}", "{\"a\":1}x",
            "{\"a\":1,\"a\":2}", "reason=x"})
    void malformedOrNonObjectBodiesAre400InvalidRequest(String text) {
        assertThatThrownBy(() -> JsonBodies.object(body(text, "application/json")))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("invalid_request");
                });
    }

    @Test
    void typedFieldsRejectTheWrongType() {
        var node = JsonBodies.object(body("{\"text\":5,\"respond\":\"yes\",\"ok\":true}", null));
        assertThatThrownBy(() -> JsonBodies.optionalText(node, "text", 10)).isInstanceOf(ApiError.class);
        assertThatThrownBy(() -> JsonBodies.optionalBoolean(node, "respond")).isInstanceOf(ApiError.class);
        assertThat(JsonBodies.optionalBoolean(node, "ok")).isTrue();
        assertThat(JsonBodies.optionalText(node, "missing", 10)).isNull();
    }
}
