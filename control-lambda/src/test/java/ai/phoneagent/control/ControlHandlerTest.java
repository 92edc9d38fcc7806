package ai.phoneagent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.testing.TestKeys;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handler without any AWS service reachable: the configured endpoints point at a closed port, so any network
 * I/O would surface as a 503 or an exception.
 */
class ControlHandlerTest {
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeEach
    void captureLogs() {
        JsonLog.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreLogs() {
        JsonLog.redirect(System.out);
    }

    private static ControlHandler handler(Map<String, String> overrides) {
        return new ControlHandler(ControlService.create(TestConfigs.config(overrides)));
    }

    private static Context contextWithRemaining(int millis) {
        return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getRemainingTimeInMillis" -> millis;
                    case "getAwsRequestId" -> "aws-req-1";
                    default -> null;
                });
    }

    @Test
    void primingBeforeASnapshotRunsTheHotPathWithoutNetworkOrLogLines() throws Exception {
        ControlHandler handler = handler(Map.of());
        assertThatCode(() -> handler.crac().beforeCheckpoint(null)).doesNotThrowAnyException();
        handler.crac().afterRestore(null);
        assertThat(logs.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void primingWorksWithoutTokenTwilioOrTransferConfiguration() {
        ControlHandler handler = handler(Map.of("CONTROL_API_TOKEN", "", "CONTROL_AUTH_DISABLED", "true",
                "TWILIO_AUTH_TOKEN", "", "TWILIO_STATUS_CALLBACK_URL", "", "HUMAN_AGENT_NUMBER", "",
                "TRANSFER_TARGETS", ""));
        assertThatCode(() -> handler.crac().beforeCheckpoint(null)).doesNotThrowAnyException();
    }

    @Test
    void aSampleApiGatewayEventIsAnsweredWithJsonAndOneLogLine() throws Exception {
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent("events/unknown-route.json");
        var response = handler(Map.of()).handleRequest(event, contextWithRemaining(10_000));
        assertThat(response.getStatusCode()).isEqualTo(404);
        assertThat(response.getHeaders()).containsEntry("content-type", "application/json");
        var body = Json.parse(response.getBody());
        assertThat(body.get("ok").asBoolean()).isFalse();
        assertThat(body.at("/error/code").asText()).isEqualTo("not_found");
        String log = logs.toString(StandardCharsets.UTF_8);
        assertThat(log.lines()).hasSize(1);
        var line = Json.parse(log.strip());
        assertThat(line.get("route").asText()).isEqualTo("unmatched");
        assertThat(line.get("status").asInt()).isEqualTo(404);
        assertThat(line.get("request_id").asText()).isEqualTo("sample-request-1");
        assertThat(line.has("latency_ms")).isTrue();
        assertThat(TestKeys.containsSecret(log)).isFalse();
    }

    @Test
    void pathAndMethodTricksNeitherSkipAuthenticationNorReachARoute() {
        ControlHandler handler = handler(Map.of());
        record Case(String method, String path, Map<String, String> headers, int status) {
        }
        Map<String, String> noAuth = Map.of();
        Map<String, String> authed = Map.of("authorization", "Bearer " + TestKeys.CONTROL_API_TOKEN);
        for (Case c : java.util.List.of(
                new Case("POST", "/control/../twilio/conference-events", noAuth, 401),
                new Case("POST", "/control/calls/../../twilio/conference-events", authed, 404),
                new Case("GET", "/control//calls", noAuth, 401),
                new Case("GET", "//control/calls", authed, 404),
                new Case("GET", "/CONTROL/calls", authed, 404),
                new Case("GET", "/Control/calls", noAuth, 404),
                new Case("GET", "/control%2Fcalls", authed, 404),
                new Case("POST", "/control/calls/rtc_1%2Fx/hangup", noAuth, 401),
                new Case("POST", "/control/calls/rtc_1%2Fx/hangup", authed, 400),
                new Case("POST", "/twilio/conference-events/../../control/calls", authed, 404),
                new Case("POST", "/control/calls", Map.of("authorization", authed.get("authorization"),
                        "x-http-method-override", "GET"), 405),
                new Case("GET", "/control/calls", Map.of("authorization", "Basic " + TestKeys.CONTROL_API_TOKEN), 401),
                new Case("GET", "/control/calls", Map.of("authorization", "Bearer " + TestKeys.CONTROL_API_TOKEN + "x"),
                        401))) {
            var builder = Events.request(c.method(), c.path());
            c.headers().forEach(builder::header);
            var response = handler.handleRequest(builder.build(), contextWithRemaining(10_000));
            assertThat(response.getStatusCode()).as(c.toString()).isEqualTo(c.status());
            assertThat(response.getHeaders()).containsEntry("content-type", "application/json");
        }
    }

    @Test
    void aBackingServiceOutageIs503NamingTheServiceWithoutDetails() throws Exception {
        var response = handler(Map.of()).handleRequest(Events.request("GET", "/control/calls")
                .bearer(TestKeys.CONTROL_API_TOKEN).build(), contextWithRemaining(10_000));
        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(Json.parse(response.getBody()).at("/error/code").asText()).isEqualTo("store_unavailable");
        assertThat(response.getBody()).doesNotContain("127.0.0.1").doesNotContain("Exception");
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain(TestKeys.CONTROL_API_TOKEN);
    }
}
