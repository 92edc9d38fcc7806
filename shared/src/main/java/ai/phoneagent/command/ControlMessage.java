package ai.phoneagent.command;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.TraceParent;
import ai.phoneagent.queue.InvalidMessageException;
import ai.phoneagent.queue.MessageJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;

/**
 * A control-queue message: {@code {"commandId","type","args","requestedAt","traceId"?}}; {@code traceId} is the
 * call's trace id as the control side knew it (absent on older messages).
 */
public record ControlMessage(String commandId, CommandType type, ObjectNode args, long requestedAt, String traceId) {
    private static final Pattern COMMAND_ID = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");

    /** True when the id is safe to use as a key. */
    public static boolean isValidCommandId(String id) {
        return id != null && COMMAND_ID.matcher(id).matches();
    }

    public String toJson() {
        return Json.write(toNode());
    }

    /** The message as a JSON object (also carried inside a {@link Nudge}). */
    public ObjectNode toNode() {
        ObjectNode body = Json.object()
                .put("commandId", commandId)
                .put("type", type.wireName())
                .put("requestedAt", requestedAt);
        if (traceId != null) {
            body.put("traceId", traceId);
        }
        body.set("args", args == null ? Json.object() : args);
        return body;
    }

    /** Parses and validates a body; a bad one is an {@link InvalidMessageException} saying what is wrong. */
    public static ControlMessage parse(String body) {
        return fromNode(MessageJson.object(body));
    }

    /** Validates a message already parsed to a JSON object (e.g. the command inside a {@link Nudge}). */
    public static ControlMessage fromNode(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidMessageException("message is not a JSON object");
        }
        String commandId = Json.text(node, "commandId");
        if (!isValidCommandId(commandId)) {
            throw new InvalidMessageException("commandId is missing or malformed");
        }
        CommandType type = CommandType.fromWire(Json.text(node, "type"))
                .orElseThrow(() -> new InvalidMessageException("type must be hangup, transfer or instructions"));
        JsonNode args = node.get("args");
        if (args != null && !args.isNull() && !args.isObject()) {
            throw new InvalidMessageException("args must be an object");
        }
        JsonNode requestedAt = node.get("requestedAt");
        if (requestedAt != null && !requestedAt.canConvertToLong()) {
            throw new InvalidMessageException("requestedAt must be epoch milliseconds");
        }
        String traceId = Json.text(node, "traceId"); // a malformed one is dropped: the command matters more
        return new ControlMessage(commandId, type, args == null || args.isNull() ? Json.object() : (ObjectNode) args,
                requestedAt == null ? 0 : requestedAt.asLong(), TraceParent.isValidTraceId(traceId) ? traceId : null);
    }
}
