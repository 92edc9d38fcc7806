package ai.phoneagent.webhook;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * Verifies OpenAI's webhook deliveries (Standard Webhooks scheme) on the raw body bytes.
 * Thread-safe; build once per container.
 */
public final class WebhookVerifier {
    /** How far the timestamp may lie from now, in either direction. */
    public static final Duration TOLERANCE = Duration.ofSeconds(300);

    private final WebhookSecret secret;
    private final Clock clock;

    public WebhookVerifier(WebhookSecret secret, Clock clock) {
        this.secret = secret;
        this.clock = clock;
    }

    /** Verifies a delivery; header names are matched case-insensitively. */
    public Verification verify(Map<String, String> headers, byte[] body) {
        Map<String, String> lower = lowerCase(headers);
        String id = lower.get("webhook-id");
        String timestamp = lower.get("webhook-timestamp");
        String signatures = lower.get("webhook-signature");
        if (isBlank(id) || isBlank(timestamp) || isBlank(signatures)) {
            return new Verification.Invalid("missing webhook-id, webhook-timestamp or webhook-signature header");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return new Verification.Invalid("webhook-timestamp is not an integer");
        }
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - seconds) > TOLERANCE.toSeconds()) {
            return new Verification.Invalid("webhook-timestamp is outside the allowed tolerance");
        }
        byte[] expected = WebhookSignatures.hmac(secret, id, timestamp, body);
        boolean matched = false;
        for (String entry : signatures.strip().split(" +")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
                continue;
            }
            byte[] candidate;
            try {
                candidate = Base64.getDecoder().decode(entry.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            // Evaluate every entry so timing does not reveal which one matched.
            matched |= MessageDigest.isEqual(expected, candidate);
        }
        return matched
                ? new Verification.Valid(id, seconds)
                : new Verification.Invalid("no webhook-signature entry matches");
    }

    private static Map<String, String> lowerCase(Map<String, String> headers) {
        var lower = new java.util.HashMap<String, String>();
        if (headers != null) {
            headers.forEach((k, v) -> {
                if (k != null) {
                    lower.put(k.toLowerCase(Locale.ROOT), v);
                }
            });
        }
        return lower;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
