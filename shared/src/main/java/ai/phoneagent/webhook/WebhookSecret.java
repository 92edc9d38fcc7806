package ai.phoneagent.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/** The HMAC key of a Standard Webhooks secret: {@code whsec_} + base64, or raw UTF-8 bytes otherwise. */
public final class WebhookSecret {
    private static final String PREFIX = "whsec_";
    private final byte[] key;

    private WebhookSecret(byte[] key) {
        this.key = key;
    }

    /** Decodes a secret as configured; a {@code whsec_} secret with bad base64 is rejected. */
    public static WebhookSecret of(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("webhook secret is empty");
        }
        if (secret.startsWith(PREFIX)) {
            try {
                return new WebhookSecret(Base64.getDecoder().decode(secret.substring(PREFIX.length())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("webhook secret has the whsec_ prefix but is not valid base64");
            }
        }
        return new WebhookSecret(secret.getBytes(StandardCharsets.UTF_8));
    }

    byte[] key() {
        return Arrays.copyOf(key, key.length);
    }

    @Override
    public String toString() {
        return "WebhookSecret[redacted]";
    }
}
