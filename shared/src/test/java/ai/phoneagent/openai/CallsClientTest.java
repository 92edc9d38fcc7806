package ai.phoneagent.openai;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CallsClientTest {
    private static final String KEY = "sk-test-calls-client";
    private MockWebServer server;
    private CallsClient client;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        client = clientWithDeadline(Duration.ofSeconds(3));
    }

    private CallsClient clientWithDeadline(Duration deadline) {
        URI base = URI.create(server.url("/").toString());
        OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofMillis(500)).build();
        return new CallsClient(http, new OpenAiEndpoints(base), KEY,
                new RetryPolicy(deadline, Duration.ofMillis(10), Duration.ofMillis(50), RandomGenerator.getDefault()),
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).body(body).build();
    }

    @Test
    void acceptPostsTheSessionToTheCallsAcceptPathWithBearerKey() throws Exception {
        server.enqueue(status(200, ""));
        var outcome = client.accept("rtc_123", Json.object().put("type", "realtime"));
        assertThat(outcome).isEqualTo(new CallsOutcome.Done());
        RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getTarget()).isEqualTo("/v1/realtime/calls/rtc_123/accept");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(request.getHeaders().get("OpenAI-Beta")).isNull();
        assertThat(request.getBody().utf8()).isEqualTo("{\"type\":\"realtime\"}");
    }

    @Test
    void notFoundMeansTheCallIsGone() {
        server.enqueue(status(404, "{\"error\":{\"message\":\"no such call\"}}"));
        assertThat(client.hangup("rtc_1")).isEqualTo(new CallsOutcome.Gone());
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void otherClientErrorsAreRefusedWithOpenAisMessageAndNotRetried() {
        server.enqueue(status(400, "{\"error\":{\"message\":\"Unknown parameter: 'audio.input.format'.\",\"type\":\"invalid_request_error\"}}"));
        assertThat(client.accept("rtc_1", Json.object()))
                .isEqualTo(new CallsOutcome.Refused(400, "Unknown parameter: 'audio.input.format'."));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void retriesServerErrorsUntilSuccess() {
        server.enqueue(status(500, "{}"));
        server.enqueue(status(503, "{}"));
        server.enqueue(status(200, ""));
        assertThat(client.refer("rtc_1", "tel:+14155550123")).isEqualTo(new CallsOutcome.Done());
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void retriesRateLimitResponses() {
        server.enqueue(status(429, "{}"));
        server.enqueue(status(200, ""));
        assertThat(client.hangup("rtc_1")).isEqualTo(new CallsOutcome.Done());
    }

    @Test
    void givesUpAsUnavailableWhenServerErrorsOutlastTheDeadline() {
        for (int i = 0; i < 200; i++) {
            server.enqueue(status(502, "{}"));
        }
        CallsClient shortDeadline = clientWithDeadline(Duration.ofMillis(300));
        long started = System.nanoTime();
        var outcome = shortDeadline.hangup("rtc_1");
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        // the last failure is the 502 or, when the deadline cuts an attempt short, a timeout
        assertThat(outcome).isInstanceOf(CallsOutcome.Unavailable.class);
        assertThat(((CallsOutcome.Unavailable) outcome).reason()).isIn("HTTP 502", "timeout");
        assertThat(server.getRequestCount()).isGreaterThan(1);
        assertThat(elapsedMs).as("bounded by the deadline, not by the 200 queued errors").isLessThan(3_000);
    }

    @Test
    void slowAnswersAreCutOffAtTheDeadline() {
        server.enqueue(new MockResponse.Builder().code(200).headersDelay(3, TimeUnit.SECONDS).build());
        CallsClient shortDeadline = clientWithDeadline(Duration.ofMillis(400));
        assertThat(shortDeadline.accept("rtc_1", Json.object())).isInstanceOf(CallsOutcome.Unavailable.class);
    }

    @Test
    void ioFailuresAreRetried() {
        server.enqueue(new MockResponse.Builder().onRequestStart(new mockwebserver3.SocketEffect.CloseSocket()).build());
        server.enqueue(status(200, ""));
        assertThat(client.hangup("rtc_1")).isEqualTo(new CallsOutcome.Done());
    }

    @Test
    void refusesMalformedCallIdsBeforeAnyRequest() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.hangup("../../v1/files"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void realtimeSocketUrlUsesTheWebSocketSchemeOfTheBase() {
        assertThat(new OpenAiEndpoints(URI.create("https://api.openai.com/")).realtimeSocket("rtc_9"))
                .hasToString("wss://api.openai.com/v1/realtime?call_id=rtc_9");
        assertThat(new OpenAiEndpoints(URI.create("http://127.0.0.1:8080")).realtimeSocket("rtc_9"))
                .hasToString("ws://127.0.0.1:8080/v1/realtime?call_id=rtc_9");
    }
}
