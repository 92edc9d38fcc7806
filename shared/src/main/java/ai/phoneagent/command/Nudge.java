package ai.phoneagent.command;

import ai.phoneagent.call.EndReason;
import ai.phoneagent.json.Json;
import ai.phoneagent.queue.InvalidMessageException;
import ai.phoneagent.queue.MessageJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * A message on a worker's nudge queue: {@code {"callId", "command"?, "hungUp"?}}. {@code command} is the control message
 * as put on the call's control queue ({@link ControlMessage}), so the owner can carry it out without reading that queue
 * first; the call's queue keeps the durable copy, and the command's execution claim ({@link CommandStore#claimExecution})
 * makes whichever copy comes second a no-op. {@code hungUp} ({@code {"commandId","reason"}}) tells the owner that OpenAI
 * took a hang-up of the call the control side sent, so the owner ends the call with that reason when its socket closes
 * instead of re-attaching to learn it is over (a lost one costs that re-attach, nothing more). A nudge without either
 * (or with a command that does not parse) only says "read this call's queue now".
 *
 * @param command        the command it carries, when it carries a valid one
 * @param commandProblem why the command it carries was not accepted (empty when none was carried, or it was valid)
 * @param hungUp         the control side's accepted hang-up it reports, when it reports a valid one
 */
public record Nudge(String callId, Optional<ControlMessage> command, Optional<String> commandProblem,
                    Optional<HungUp> hungUp) {

    /** A hang-up of the call by the control side that OpenAI accepted: its command and end reason. */
    public record HungUp(String commandId, String reason) {
    }

    /** A nudge that carries {@code command}. */
    public static Nudge carrying(String callId, ControlMessage command) {
        return new Nudge(callId, Optional.of(command), Optional.empty(), Optional.empty());
    }

    /** A nudge that only says "read the call's queue". */
    public static Nudge readQueue(String callId) {
        return new Nudge(callId, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A nudge that reports the control side's accepted hang-up of the call. */
    public static Nudge hungUp(String callId, HungUp hungUp) {
        return new Nudge(callId, Optional.empty(), Optional.empty(), Optional.of(hungUp));
    }

    public String toJson() {
        ObjectNode body = Json.object().put("callId", callId);
        command.ifPresent(c -> body.set("command", c.toNode()));
        hungUp.ifPresent(h -> body.putObject("hungUp").put("commandId", h.commandId()).put("reason", h.reason()));
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
        JsonNode hungUp = node.get("hungUp");
        if (hungUp != null && !hungUp.isNull()) {
            JsonNode commandId = hungUp.get("commandId");
            JsonNode reason = hungUp.get("reason");
            if (commandId == null || !commandId.isTextual() || commandId.asText().isBlank() || reason == null
                    || !reason.isTextual() || EndReason.codeOr(reason.asText(), null) == null) {
                // the owner learns the call is over by re-attaching, as without the nudge
                return new Nudge(callId.asText(), Optional.empty(),
                        Optional.of("hungUp: needs a commandId and a lower-case reason code"), Optional.empty());
            }
            return hungUp(callId.asText(), new HungUp(commandId.asText(), reason.asText().strip()));
        }
        JsonNode command = node.get("command");
        if (command == null || command.isNull()) {
            return readQueue(callId.asText());
        }
        try {
            return carrying(callId.asText(), ControlMessage.fromNode(command));
        } catch (InvalidMessageException e) {
            return new Nudge(callId.asText(), Optional.empty(), Optional.of("command: " + e.getMessage()),
                    Optional.empty());
        }
    }
}
