package ai.phoneagent.queue;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

/** Parses a queue message body that must be a JSON object, failing with a precise, payload-free reason. */
public final class MessageJson {
    private MessageJson() {
    }

    public static JsonNode object(String body) {
        JsonNode node;
        try {
            node = Json.parse(body);
        } catch (Exception e) {
            throw new InvalidMessageException("body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidMessageException("body is not a JSON object");
        }
        return node;
    }
}
