package ai.phoneagent.simulator.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One webhook execution Discord accepted: the webhook id (never the token) and the JSON body. */
public record DiscordMessage(String webhookId, JsonNode body, Instant receivedAt) {
    public DiscordMessage {
        body = body.deepCopy();
    }

    @Override
    public JsonNode body() {
        return body.deepCopy();
    }

    /** The {@code content} field, or null. */
    public String content() {
        JsonNode content = body.get("content");
        return content != null && content.isTextual() ? content.asText() : null;
    }
}
