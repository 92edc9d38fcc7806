package ai.phoneagent.callevents;

import ai.phoneagent.json.Json;
import ai.phoneagent.openai.OpenAiEndpoints;
import ai.phoneagent.queue.InvalidMessageException;
import ai.phoneagent.queue.MessageJson;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A call-events-queue message: which event of which call to deliver. The payload is built from the call's stored
 * item, transcript and events at delivery time, so the message stays tiny whatever the transcript's size.
 *
 * @param eventId    the {@code webhook-id} (and payload {@code id}): derived from the call, the type and, for a
 *                   transfer, the stored transfer event, so every send and every replay of one event carries the same id
 * @param occurredAt epoch milliseconds when the event happened
 * @param sourceId   the stored call event behind it (a transfer's event id), or {@code null}
 * @param enqueuedAt epoch milliseconds when this send (or replay) was enqueued: delivery gives up this long after it
 */
public record CallEventMessage(String eventId, CallEventType type, String callId, long occurredAt, String sourceId,
                               long enqueuedAt) {

    /** The message for an event, enqueued as it happens; its id is stable across sends and replays. */
    public static CallEventMessage of(CallEventType type, String callId, long occurredAt, String sourceId) {
        return new CallEventMessage(eventId(type, callId, sourceId), type, callId, occurredAt, sourceId, occurredAt);
    }

    /** The same event enqueued again at {@code now} (a replay): same id, a fresh delivery budget. */
    public CallEventMessage enqueuedAgain(long now) {
        return new CallEventMessage(eventId, type, callId, occurredAt, sourceId, now);
    }

    /** {@code evt_} + 32 hex digits of SHA-256 over call id, type and source id. */
    public static String eventId(CallEventType type, String callId, String sourceId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (callId + "\n" + type.wireName() + "\n" + (sourceId == null ? "" : sourceId))
                            .getBytes(StandardCharsets.UTF_8));
            return "evt_" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    public String toJson() {
        var node = Json.object().put("eventId", eventId).put("type", type.wireName()).put("callId", callId)
                .put("occurredAt", occurredAt).put("enqueuedAt", enqueuedAt);
        if (sourceId != null) {
            node.put("sourceId", sourceId);
        }
        return Json.write(node);
    }

    /** Parses and validates a body; a bad one is an {@link InvalidMessageException} with a precise reason. */
    public static CallEventMessage parse(String body) {
        JsonNode node = MessageJson.object(body);
        String callId = Json.text(node, "callId");
        if (!OpenAiEndpoints.isValidCallId(callId)) {
            throw new InvalidMessageException("callId is missing or malformed");
        }
        CallEventType type = CallEventType.fromWire(Json.text(node, "type")).orElseThrow(() ->
                new InvalidMessageException("type must be call.started, call.transferred or call.ended"));
        String eventId = Json.text(node, "eventId");
        if (eventId == null || !eventId.matches("evt_[0-9a-f]{32}")) {
            throw new InvalidMessageException("eventId is missing or malformed");
        }
        JsonNode at = node.get("occurredAt");
        if (at == null || !at.canConvertToLong()) {
            throw new InvalidMessageException("occurredAt must be epoch milliseconds");
        }
        JsonNode enqueued = node.get("enqueuedAt");
        if (enqueued != null && !enqueued.canConvertToLong()) {
            throw new InvalidMessageException("enqueuedAt must be epoch milliseconds");
        }
        return new CallEventMessage(eventId, type, callId, at.asLong(), Json.text(node, "sourceId"),
                enqueued == null ? at.asLong() : enqueued.asLong());
    }
}
