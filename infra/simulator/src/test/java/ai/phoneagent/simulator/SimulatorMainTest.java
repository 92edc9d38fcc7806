package ai.phoneagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.webhook.Verification;
import ai.phoneagent.webhook.WebhookSecret;
import ai.phoneagent.webhook.WebhookVerifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class SimulatorMainTest {
    private static final String SECRET = "whsec_c2ltdWxhdG9yLW1haW4tdGVzdA==";
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws InterruptedException {
        return SimulatorMain.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void sendWebhookPrintsEachAttemptsStatusAndSignsLikeOpenAi() throws Exception {
        try (MockWebServer receiver = new MockWebServer()) {
            receiver.enqueue(new MockResponse.Builder().code(500).build());
            receiver.enqueue(new MockResponse.Builder().code(200).build());
            receiver.start(InetAddress.getByName("127.0.0.1"), 0);

            int code = run("send-webhook", "--url", "http://127.0.0.1:" + receiver.getPort() + "/openai/webhook",
                    "--secret", SECRET, "--call-id", "rtc_main_test", "--from", "+14155550123",
                    "--conference", "CFmain", "--attempts", "3");

            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(code).isZero();
            assertThat(printed).contains("attempt 1: HTTP 500").contains("attempt 2: HTTP 200").contains("delivered");
            assertThat(printed).doesNotContain(SECRET);
            RecordedRequest first = receiver.takeRequest(5, TimeUnit.SECONDS);
            RecordedRequest second = receiver.takeRequest(5, TimeUnit.SECONDS);
            assertThat(second.getHeaders().get("webhook-id")).isEqualTo(first.getHeaders().get("webhook-id"));
            Map<String, String> headers = new HashMap<>();
            second.getHeaders().names().forEach(n -> headers.put(n, second.getHeaders().get(n)));
            assertThat(new WebhookVerifier(WebhookSecret.of(SECRET), Clock.systemUTC())
                    .verify(headers, second.getBody().toByteArray())).isInstanceOf(Verification.Valid.class);
            assertThat(second.getBody().utf8()).contains("rtc_main_test").contains("sip:+14155550123@").contains("CFmain");
        }
    }

    @Test
    void sendWebhookWithoutAUrlExplainsItself() throws InterruptedException {
        assertThat(run("send-webhook", "--secret", SECRET)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--url");
    }

    @Test
    void serveStartsTheSimulatorAndPrintsItsBaseUrl() throws Exception {
        PrintStream printer = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (AutoCloseable running = SimulatorMain.startServices(Map.of("--fakes", "true"), Map.of(), printer)) {
            assertThat(running).isNotNull();
            Matcher url = Pattern.compile("OPENAI_BASE_URL=(\\S+)").matcher(out.toString(StandardCharsets.UTF_8));
            assertThat(url.find()).isTrue();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("DISCORD_WEBHOOK_URL=http://127.0.0.1:");
            try (Response health = RealtimeTestClient.HTTP.newCall(
                    new Request.Builder().url(url.group(1) + "/health").build()).execute()) {
                assertThat(health.code()).isEqualTo(200);
            }
        }
    }

    @Test
    void theAdminApiSetsAScenarioAndShowsACall() throws IOException {
        try (ConnectorSimulator simulator = ConnectorSimulator.start()) {
            Request put = new Request.Builder()
                    .url(simulator.baseUrl() + "/_simulator/calls/rtc_admin/scenario")
                    .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
                    .put(okhttp3.RequestBody.create("{\"load\":\"keypad\"}", null))
                    .build();
            try (Response response = RealtimeTestClient.HTTP.newCall(put).execute()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.body().string()).contains("\"scenario\":\"keypad\"");
            }
            assertThat(simulator.call("rtc_admin").scenario()).isEqualTo("keypad");
        }
    }
}
