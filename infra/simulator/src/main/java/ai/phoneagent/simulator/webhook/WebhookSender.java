package ai.phoneagent.simulator.webhook;

import ai.phoneagent.simulator.OpenAiIds;
import ai.phoneagent.webhook.WebhookSecret;
import ai.phoneagent.webhook.WebhookSignatures;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Sends webhooks the way OpenAI does (Standard Webhooks: {@code webhook-id}, {@code webhook-timestamp},
 * {@code webhook-signature: v1,<base64 HMAC-SHA256>}) and re-delivers on non-2xx or timeout with exponential
 * backoff, keeping the webhook id and re-signing each attempt with a fresh timestamp. Thread-safe.
 */
public final class WebhookSender {
    private static final MediaType JSON = MediaType.get("application/json");
    private final WebhookSecret secret;
    private final Clock clock;
    private final RedeliveryPolicy policy;
    private final OkHttpClient http;

    /** A sender with its own HTTP client; {@code secret} as configured ({@code whsec_…} or raw). */
    public WebhookSender(String secret, Clock clock, RedeliveryPolicy policy) {
        this(WebhookSecret.of(secret), clock, policy, new OkHttpClient.Builder().retryOnConnectionFailure(false).build());
    }

    public WebhookSender(WebhookSecret secret, Clock clock, RedeliveryPolicy policy, OkHttpClient http) {
        this.secret = Objects.requireNonNull(secret, "secret");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.http = http.newBuilder().callTimeout(policy.attemptTimeout()).build();
    }

    /** Builds and delivers a {@code realtime.call.incoming} event for this call. */
    public DeliveryReport sendIncomingCall(URI url, IncomingCallSpec call) {
        return deliver(url, WebhookEvent.incomingCall(call, clock));
    }

    /** Delivers a correctly signed event, re-delivering per the policy. */
    public DeliveryReport deliver(URI url, WebhookEvent event) {
        return deliver(url, event, Signing.valid(), attempt -> { });
    }

    /** Delivers an event signed as {@code signing} says, re-delivering per the policy. */
    public DeliveryReport deliver(URI url, WebhookEvent event, Signing signing) {
        return deliver(url, event, signing, attempt -> { });
    }

    /** Delivers and reports each attempt to {@code onAttempt} as it completes. */
    public DeliveryReport deliver(URI url, WebhookEvent event, Signing signing, Consumer<DeliveryAttempt> onAttempt) {
        return deliver(url, event, OpenAiIds.next("wh"), signing, onAttempt);
    }

    /** Delivers with a chosen webhook id (e.g. to replay an earlier delivery as OpenAI's retries would). */
    public DeliveryReport deliver(URI url, WebhookEvent event, String webhookId, Signing signing,
                                  Consumer<DeliveryAttempt> onAttempt) {
        List<DeliveryAttempt> attempts = new ArrayList<>();
        for (int number = 1; number <= policy.maxAttempts(); number++) {
            if (!pause(policy.backoffBefore(number))) {
                break;
            }
            DeliveryAttempt attempt = attempt(url, event, webhookId, signing, number);
            attempts.add(attempt);
            onAttempt.accept(attempt);
            if (attempt.succeeded()) {
                break;
            }
        }
        return new DeliveryReport(webhookId, event, attempts);
    }

    /** {@link #deliver(URI, WebhookEvent, Signing)} on a virtual thread. */
    public CompletableFuture<DeliveryReport> deliverAsync(URI url, WebhookEvent event, Signing signing) {
        CompletableFuture<DeliveryReport> result = new CompletableFuture<>();
        Thread.ofVirtual().name("webhook-" + event.id()).start(() -> {
            try {
                result.complete(deliver(url, event, signing));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** The three Standard Webhooks headers for a body, as OpenAI would send them now. */
    public Map<String, String> signedHeaders(String webhookId, byte[] body) {
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", webhookId);
        headers.put("webhook-timestamp", timestamp);
        headers.put("webhook-signature", WebhookSignatures.sign(secret, webhookId, timestamp, body));
        return headers;
    }

    private DeliveryAttempt attempt(URI url, WebhookEvent event, String webhookId, Signing signing, int number) {
        long now = clock.instant().getEpochSecond();
        long seconds = switch (signing) {
            case Signing.Stale(Duration age) -> now - age.toSeconds();
            case Signing.FutureDated(Duration ahead) -> now + ahead.toSeconds();
            default -> now;
        };
        String timestamp = Long.toString(seconds);
        byte[] body = event.body();
        byte[] sent = signing instanceof Signing.TamperedBody
                ? event.json().replaceFirst("\"type\"", "\"type\" ").getBytes(StandardCharsets.UTF_8) : body;
        Request.Builder request = new Request.Builder()
                .url(url.toString())
                .post(RequestBody.create(sent, JSON))
                .header("User-Agent", "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)")
                .header("webhook-id", webhookId)
                .header("webhook-timestamp", timestamp);
        switch (signing) {
            case Signing.MissingSignature() -> { }
            case Signing.Malformed() -> request.header("webhook-signature", "v1 not-a-signature");
            case Signing.WrongSecret(String other) -> request.header("webhook-signature",
                    WebhookSignatures.sign(WebhookSecret.of(other), webhookId, timestamp, body));
            default -> request.header("webhook-signature", WebhookSignatures.sign(secret, webhookId, timestamp, body));
        }
        long started = System.nanoTime();
        try (Response response = http.newCall(request.build()).execute()) {
            return new DeliveryAttempt(number, webhookId, timestamp, response.code(), null,
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            return new DeliveryAttempt(number, webhookId, timestamp, -1, e.getClass().getSimpleName() + ": " + e.getMessage(),
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private static boolean pause(Duration wait) {
        if (wait.isZero() || wait.isNegative()) {
            return true;
        }
        try {
            Thread.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return "WebhookSender[secret=<redacted>, policy=" + policy + "]";
    }
}
