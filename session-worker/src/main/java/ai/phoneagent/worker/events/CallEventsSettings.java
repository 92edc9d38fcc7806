package ai.phoneagent.worker.events;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.webhook.WebhookSecret;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Call-event webhooks to the user's backend; an unset {@code CALL_EVENTS_URL} turns them off.
 *
 * @param queueUrl   {@code CALL_EVENTS_QUEUE_URL}: where events wait for delivery
 * @param maxAge     {@code CALL_EVENTS_MAX_AGE_MS}: how long an undelivered event is retried (default 24 h)
 * @param retryBase  {@code CALL_EVENTS_RETRY_BASE_MS}: the first retry's pause; doubles per attempt (whole seconds)
 * @param retryMax   {@code CALL_EVENTS_RETRY_MAX_MS}: the longest pause between attempts (at most 12 h, SQS's limit)
 * @param timeout    {@code CALL_EVENTS_TIMEOUT_MS}: bound on one POST, connect to last byte
 * @param waitSeconds {@code CALL_EVENTS_QUEUE_WAIT_SECONDS}: the deliverer's long-poll wait
 */
public record CallEventsSettings(Optional<URI> url, Optional<WebhookSecret> secret, Optional<String> queueUrl,
                                 Duration maxAge, Duration retryBase, Duration retryMax, Duration timeout,
                                 int waitSeconds) {

    public static CallEventsSettings fromEnv(Env env) {
        Optional<URI> url = env.url("CALL_EVENTS_URL");
        url.ifPresent(u -> {
            if (!u.getScheme().startsWith("http")) {
                throw new ConfigException("CALL_EVENTS_URL", "must be an http(s) URL");
            }
        });
        Optional<WebhookSecret> secret = env.optional("CALL_EVENTS_SECRET").map(s -> {
            try {
                return WebhookSecret.of(s);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("CALL_EVENTS_SECRET", "must be whsec_ followed by base64");
            }
        });
        Optional<String> queueUrl = env.url("CALL_EVENTS_QUEUE_URL").map(URI::toString);
        if (url.isPresent() && secret.isEmpty()) {
            throw new ConfigException("CALL_EVENTS_SECRET", "is required when CALL_EVENTS_URL is set");
        }
        if (url.isPresent() && queueUrl.isEmpty()) {
            throw new ConfigException("CALL_EVENTS_QUEUE_URL", "is required when CALL_EVENTS_URL is set");
        }
        Duration maxAge = env.millis("CALL_EVENTS_MAX_AGE_MS", Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofDays(14));
        Duration base = env.millis("CALL_EVENTS_RETRY_BASE_MS", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofHours(1));
        Duration max = env.millis("CALL_EVENTS_RETRY_MAX_MS", Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofHours(12));
        Duration timeout = env.millis("CALL_EVENTS_TIMEOUT_MS", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofSeconds(30));
        int wait = env.intValue("CALL_EVENTS_QUEUE_WAIT_SECONDS", 20, 0, 20);
        return new CallEventsSettings(url, secret, queueUrl, maxAge, base, max, timeout, wait);
    }

    public boolean enabled() {
        return url.isPresent();
    }

    @Override
    public String toString() {
        // the secret never reaches a log line; the URL may carry a token in its query
        return "CallEventsSettings[enabled=" + enabled() + ", maxAge=" + maxAge + ", retryBase=" + retryBase + "]";
    }
}
