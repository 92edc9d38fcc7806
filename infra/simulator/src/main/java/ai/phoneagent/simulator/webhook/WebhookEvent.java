package ai.phoneagent.simulator.webhook;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.OpenAiIds;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;

/** One OpenAI webhook event: {@code {"object":"event","id","type","created_at","data"}}, serialised once. */
public record WebhookEvent(String id, String type, long createdAt, String json) {
    /** The type OpenAI sends when a SIP call arrives. */
    public static final String CALL_INCOMING = "realtime.call.incoming";

    public WebhookEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(json, "json");
    }

    /** A {@code realtime.call.incoming} event for this call. */
    public static WebhookEvent incomingCall(IncomingCallSpec call, Clock clock) {
        ObjectNode data = Json.object();
        data.put("call_id", call.callId());
        ArrayNode headers = data.putArray("sip_headers");
        call.sipHeaders().forEach(h -> headers.addObject().put("name", h.name()).put("value", h.value()));
        return of(CALL_INCOMING, data, clock);
    }

    /** An event of any type with this {@code data}. */
    public static WebhookEvent of(String type, JsonNode data, Clock clock) {
        String id = OpenAiIds.next("evt");
        long createdAt = clock.instant().getEpochSecond();
        ObjectNode event = Json.object();
        event.put("object", "event");
        event.put("id", id);
        event.put("type", type);
        event.put("created_at", createdAt);
        event.set("data", data == null ? Json.object() : data.deepCopy());
        return new WebhookEvent(id, type, createdAt, Json.write(event));
    }

    /** The exact bytes that are signed and sent. */
    public byte[] body() {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** The call id in {@code data.call_id}, or null. */
    public String callId() {
        try {
            return Json.parse(json).path("data").path("call_id").asText(null);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
