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
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Lambdas' Calls API client: {@link CallsClient} over the JDK's HttpURLConnection, against a real HTTP server. */
class UrlConnectionCallsTransportTest {
    private static final String KEY = "sk-test-url-connection";
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CallsClient client(Duration deadline) {
        return new CallsClient(CallsTransport.urlConnection(Duration.ofSeconds(2)),
                new OpenAiEndpoints(URI.create(server.url("/").toString())), KEY,
                new RetryPolicy(deadline, Duration.ofMillis(10), Duration.ofMillis(50), RandomGenerator.getDefault()),
                Clock.systemUTC());
    }

    private static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).body(body).build();
    }

    @Test
    void acceptPostsTheSessionAsJsonWithTheBearerKey() throws Exception {
        server.enqueue(status(200, "{}"));
        assertThat(client(Duration.ofSeconds(3)).accept("rtc_123", Json.object().put("type", "realtime")))
                .isEqualTo(new CallsOutcome.Done());
        RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getTarget()).isEqualTo("/v1/realtime/calls/rtc_123/accept");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(request.getBody().utf8()).isEqualTo("{\"type\":\"realtime\"}");
    }

    @Test
    void aRefusalCarriesOpenAisMessageAndANotFoundMeansGone() {
        server.enqueue(status(400, "{\"error\":{\"message\":\"Unknown parameter: 'x'.\"}}"));
        server.enqueue(status(404, "{\"error\":{\"message\":\"no such call\"}}"));
        CallsClient client = client(Duration.ofSeconds(3));
        assertThat(client.accept("rtc_1", Json.object())).isEqualTo(new CallsOutcome.Refused(400, "Unknown parameter: 'x'."));
        assertThat(client.hangup("rtc_1")).isEqualTo(new CallsOutcome.Gone());
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void aSlowAnswerIsCutOffAtTheDeadline() {
        server.enqueue(new MockResponse.Builder().code(200).headersDelay(3, TimeUnit.SECONDS).build());
        long started = System.nanoTime();
        var outcome = client(Duration.ofMillis(400)).accept("rtc_1", Json.object());
        assertThat(outcome).isEqualTo(new CallsOutcome.Unavailable("timeout"));
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2_000);
    }

    @Test
    void aDroppedConnectionIsRetriedOnlyByTheClientsOwnPolicy() {
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(status(200, ""));
        assertThat(client(Duration.ofSeconds(3)).hangup("rtc_1")).isEqualTo(new CallsOutcome.Done());
        assertThat(server.getRequestCount()).as("no silent second POST by the JDK").isEqualTo(2);
    }

    @Test
    void answersReadToTheEndLeaveTheConnectionForTheNextRequest() throws Exception {
        server.enqueue(status(200, "{\"ok\":true}"));
        server.enqueue(status(200, ""));
        CallsClient client = client(Duration.ofSeconds(3));
        assertThat(client.hangup("rtc_1")).isEqualTo(new CallsOutcome.Done());
        assertThat(client.hangup("rtc_2")).isEqualTo(new CallsOutcome.Done());
        RecordedRequest first = server.takeRequest(1, TimeUnit.SECONDS);
        RecordedRequest second = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(second.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
    }
}
