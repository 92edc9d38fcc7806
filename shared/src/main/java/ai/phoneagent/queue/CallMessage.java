package ai.phoneagent.queue;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.logging.TraceParent;
import ai.phoneagent.openai.OpenAiEndpoints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * A calls-queue message: a call that needs a worker. {@code traceId} (optional; older messages lack it) is the
 * call's trace id, so the worker's lines join the webhook's.
 */
public record CallMessage(String callId, String webhookId, long acceptedAt, Reason reason, String traceId) {
    /** A message in the trace of the running work when that work is about this call (see {@link LogContext}). */
    public CallMessage(String callId, String webhookId, long acceptedAt, Reason reason) {
        this(callId, webhookId, acceptedAt, reason, LogContext.traceIdFor(callId));
    }

    /** Why the call needs a worker. */
    public enum Reason {
        INCOMING, OUTBOUND, HANDOFF, ORPHANED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The message body. */
    public String toJson() {
        ObjectNode body = Json.object()
                .put("callId", callId)
                .put("webhookId", webhookId)
                .put("acceptedAt", acceptedAt)
                .put("reason", reason.wireName());
        if (traceId != null) {
            body.put("traceId", traceId);
        }
        return Json.write(body);
    }

    /** Parses and validates a body; a bad one is an {@link InvalidMessageException} with a precise reason. */
    public static CallMessage parse(String body) {
        JsonNode node = MessageJson.object(body);
        String callId = Json.text(node, "callId");
        if (!OpenAiEndpoints.isValidCallId(callId)) {
            throw new InvalidMessageException("callId is missing or malformed");
        }
        String reasonText = Json.text(node, "reason");
        Reason reason;
        try {
            reason = reasonText == null ? Reason.INCOMING : Reason.valueOf(reasonText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException("reason must be incoming, outbound, handoff or orphaned");
        }
        JsonNode acceptedAt = node.get("acceptedAt");
        if (acceptedAt != null && !acceptedAt.canConvertToLong()) {
            throw new InvalidMessageException("acceptedAt must be epoch milliseconds");
        }
        // a malformed trace id is dropped, not refused: the call matters more than its trace
        String traceId = Json.text(node, "traceId");
        return new CallMessage(callId, Json.text(node, "webhookId"), acceptedAt == null ? 0 : acceptedAt.asLong(), reason,
                TraceParent.isValidTraceId(traceId) ? traceId : null);
    }
}
