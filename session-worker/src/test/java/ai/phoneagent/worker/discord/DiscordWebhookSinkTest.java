package ai.phoneagent.worker.discord;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class DiscordWebhookSinkTest {
    @Test
    void an_unexpected_failure_on_one_line_drops_that_line_and_the_sender_goes_on() throws Exception {
        try (MockWebServer discord = new MockWebServer()) {
            discord.enqueue(new MockResponse.Builder().code(204).build());
            discord.start();
            AtomicBoolean failed = new AtomicBoolean();
            OkHttpClient http = new OkHttpClient.Builder().addInterceptor(chain -> {
                if (failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("a bug, not an I/O error");
                }
                return chain.proceed(chain.request());
            }).build();
            var sink = new DiscordWebhookSink(http, URI.create(discord.url("/api/webhooks/1/token").toString()), 10, 3,
                    Duration.ofMillis(10));
            try {
                sink.post("rtc_1", "Caller: first");
                sink.post("rtc_1", "Caller: second");

                assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
                RecordedRequest delivered = discord.takeRequest(5, TimeUnit.SECONDS);
                assertThat(delivered).isNotNull();
                assertThat(delivered.getBody().utf8()).contains("Caller: second");
                assertThat(sink.dropped()).isEqualTo(1);
                assertThat(sink.delivered()).isEqualTo(1);
            } finally {
                sink.close();
            }
        }
    }
}
