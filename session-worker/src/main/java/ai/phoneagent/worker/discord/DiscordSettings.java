package ai.phoneagent.worker.discord;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Discord transcript streaming settings; an unset {@code DISCORD_WEBHOOK_URL} turns streaming off. */
public record DiscordSettings(Optional<URI> webhookUrl, boolean maskNumbers, int bufferLimit, int maxAttempts,
                              Duration flushTimeout) {

    public static DiscordSettings off() {
        return new DiscordSettings(Optional.empty(), true, 1_000, 5, Duration.ofSeconds(5));
    }

    public static DiscordSettings fromEnv(Env env) {
        Optional<URI> url = env.url("DISCORD_WEBHOOK_URL");
        url.ifPresent(u -> {
            if (!u.getScheme().startsWith("http")) {
                throw new ConfigException("DISCORD_WEBHOOK_URL", "must be an http(s) URL");
            }
        });
        return new DiscordSettings(url,
                env.bool("DISCORD_MASK_NUMBERS", true),
                env.intValue("DISCORD_BUFFER_LIMIT", 1_000, 1, 100_000),
                env.intValue("DISCORD_MAX_ATTEMPTS", 5, 1, 20),
                env.millis("DISCORD_FLUSH_TIMEOUT_MS", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(1)));
    }

    public boolean enabled() {
        return webhookUrl.isPresent();
    }

    @Override
    public String toString() {
        // the webhook URL's path carries its token
        return "DiscordSettings[enabled=" + enabled() + ", maskNumbers=" + maskNumbers + ", bufferLimit=" + bufferLimit
                + "]";
    }
}
