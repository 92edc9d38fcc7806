package ai.phoneagent.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Computes Standard Webhooks signatures: base64(HMAC-SHA256(key, id.timestamp.body)). */
public final class WebhookSignatures {
    private WebhookSignatures() {
    }

    /** The raw HMAC over {@code "<id>.<timestamp>.<body>"}. */
    public static byte[] hmac(WebhookSecret secret, String webhookId, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.key(), "HmacSHA256"));
            mac.update((webhookId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The {@code webhook-signature} header value OpenAI would send: {@code v1,<base64>}. */
    public static String sign(WebhookSecret secret, String webhookId, String timestamp, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(hmac(secret, webhookId, timestamp, body));
    }
}
