package ai.phoneagent.simulator.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeDiscordTest {
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
    private final FakeDiscord discord = FakeDiscord.start();

    @AfterEach
    void stop() {
        discord.close();
    }

    record Answer(int code, String body, String retryAfter) {
        JsonNode json() throws IOException {
            return Json.parse(body);
        }
    }

    private Answer post(String url, String json) throws IOException {
        Request request = new Request.Builder().url(url)
                .post(RequestBody.create(json, MediaType.get("application/json"))).build();
        try (Response response = HTTP.newCall(request).execute()) {
            return new Answer(response.code(), response.body().string(), response.header("Retry-After"));
        }
    }

    private static String message(String content) {
        return Json.write(Json.object().put("content", content));
    }

    @Test
    void webhookExecutionsAreRecordedInArrivalOrder() throws IOException {
        assertThat(post(discord.webhookUrl(), message("first")).code()).isEqualTo(204);
        assertThat(post(discord.webhookUrl() + "?wait=true", message("second")).code()).isEqualTo(200);

        assertThat(discord.awaitMessages(2, Duration.ofSeconds(5))).extracting(DiscordMessage::content)
                .containsExactly("first", "second");
        assertThat(discord.messages().getFirst().webhookId()).isEqualTo("112233445566778899");
        assertThat(discord.requests().toString()).doesNotContain("fake-webhook-token");
    }

    @Test
    void theNextRequestsCanBeRateLimitedWithRetryAfter() throws IOException {
        discord.rateLimitNext(2, Duration.ofMillis(250));

        Answer first = post(discord.webhookUrl(), message("one"));
        Answer second = post(discord.webhookUrl(), message("one again"));
        Answer third = post(discord.webhookUrl(), message("one, finally"));

        assertThat(first.code()).isEqualTo(429);
        assertThat(first.json().path("retry_after").asDouble()).isEqualTo(0.25);
        assertThat(first.json().path("global").asBoolean()).isFalse();
        assertThat(first.retryAfter()).isEqualTo("1");
        assertThat(second.code()).isEqualTo(429);
        assertThat(third.code()).isEqualTo(204);
        assertThat(discord.messages()).extracting(DiscordMessage::content).containsExactly("one, finally");
        assertThat(discord.requests()).extracting(DiscordRequest::status).containsExactly(429, 429, 204);
    }

    @Test
    void serverErrorsCanBeScripted() throws IOException {
        discord.failNext(1, 502);

        assertThat(post(discord.webhookUrl(), message("x")).code()).isEqualTo(502);
        assertThat(post(discord.webhookUrl(), message("x")).code()).isEqualTo(204);
    }

    @Test
    void contentOver2000CharactersIsRejected() throws IOException {
        Answer tooLong = post(discord.webhookUrl(), message("a".repeat(2001)));
        Answer justRight = post(discord.webhookUrl(), message("a".repeat(2000)));

        assertThat(tooLong.code()).isEqualTo(400);
        assertThat(tooLong.json().path("code").asInt()).isEqualTo(50035);
        assertThat(justRight.code()).isEqualTo(204);
        assertThat(discord.messages()).hasSize(1);
    }

    @Test
    void anEmptyMessageIsRejected() throws IOException {
        assertThat(post(discord.webhookUrl(), "{}").code()).isEqualTo(400);
    }

    @Test
    void aDownDiscordRefusesConnectionsUntilItComesBack() throws IOException {
        discord.goDown();

        assertThatThrownBy(() -> post(discord.webhookUrl(), message("lost"))).isInstanceOf(java.net.ConnectException.class);

        discord.comeBack();
        assertThat(post(discord.webhookUrl(), message("back")).code()).isEqualTo(204);
        assertThat(discord.messages()).extracting(DiscordMessage::content).containsExactly("back");
    }

    @Test
    void aDelayedAnswerTripsAShortClientTimeout() {
        discord.delayNext(1, Duration.ofSeconds(2));
        OkHttpClient impatient = HTTP.newBuilder().readTimeout(Duration.ofMillis(200)).build();
        Request request = new Request.Builder().url(discord.webhookUrl())
                .post(RequestBody.create(message("slow"), MediaType.get("application/json"))).build();

        assertThatThrownBy(() -> impatient.newCall(request).execute().close())
                .isInstanceOf(java.net.SocketTimeoutException.class);
    }
}
