package ai.phoneagent.webhook;

import java.util.Map;

/** An HTTP request as the webhook sees it: method, path, headers (any case) and the raw body bytes. */
public record WebhookRequest(String method, String path, Map<String, String> headers, byte[] body) {
}
