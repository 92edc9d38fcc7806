package ai.phoneagent.command;

import ai.phoneagent.json.Json;
import ai.phoneagent.queue.InvalidMessageException;
import ai.phoneagent.queue.MessageJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * A message on a worker's nudge queue: {@code {"callId", "command"?}}. {@code command} is the control message as put
 * on the call's control queue ({@link ControlMessage}), so the owner can carry it out without reading that queue
 * first; the call's queue keeps the durable copy, and the command's execution claim ({@link CommandStore#claimExecution})
 * makes whichever copy comes second a no-op. A nudge without a command (or with one that does not parse) only says
 * "read this call's queue now".
 *
 * @param command        the command it carries, when it carries a valid one
 * @param commandProblem why the command it carries was not accepted (empty when none was carried, or it was valid)
 */
public record Nudge(String callId, Optional<ControlMessage> command, Optional<String> commandProblem) {

    /** A nudge that carries {@code command}. */
    public static Nudge carrying(String callId, ControlMessage command) {
        return new Nudge(callId, Optional.of(command), Optional.empty());
    }

    /** A nudge that only says "read the call's queue". */
    public static Nudge readQueue(String callId) {
        return new Nudge(callId, Optional.empty(), Optional.empty());
    }

    public String toJson() {
        ObjectNode body = Json.object().put("callId", callId);
        command.ifPresent(c -> body.set("command", c.toNode()));
        return Json.write(body);
    }

    /**
     * Parses a nudge body. A body with no usable {@code callId} is an {@link InvalidMessageException}; a valid call id
     * with a malformed {@code command} gives a nudge with no command and the reason in {@link #commandProblem}, since
     * the call's queue still holds the command.
     */
    public static Nudge parse(String body) {
        JsonNode node = MessageJson.object(body);
        JsonNode callId = node.get("callId");
        if (callId == null || !callId.isTextual() || callId.asText().isBlank()) {
            throw new InvalidMessageException("callId is missing or not a non-blank string");
        }
        JsonNode command = node.get("command");
        if (command == null || command.isNull()) {
            return readQueue(callId.asText());
        }
        try {
            return carrying(callId.asText(), ControlMessage.fromNode(command));
        } catch (InvalidMessageException e) {
            return new Nudge(callId.asText(), Optional.empty(), Optional.of("command: " + e.getMessage()));
        }
    }
}
