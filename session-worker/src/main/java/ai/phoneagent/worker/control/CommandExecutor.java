package ai.phoneagent.worker.control;

import ai.phoneagent.call.EndReason;
import ai.phoneagent.command.ControlMessage;
import ai.phoneagent.json.Json;
import ai.phoneagent.tools.TransferConfig;
import ai.phoneagent.tools.TransferMode;
import ai.phoneagent.tools.TransferTarget;
import ai.phoneagent.worker.call.CallSession;
import ai.phoneagent.worker.call.CommandResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Optional;

/**
 * Carries out one operator command on a hosted call through the session's command seam, the same code the model's
 * tools use: {@code hangup} (OpenAI hang-up), {@code transfer} (allow-listed target names only, warm or cold, spoken
 * unless {@code silent}) and {@code instructions} (a system message, then {@code response.create} when
 * {@code respond}). Never throws for bad arguments: they become a failed outcome.
 */
public final class CommandExecutor {

    private final TransferConfig transfer;

    public CommandExecutor(TransferConfig transfer) {
        this.transfer = transfer;
    }

    /** What became of a command: {@code result} when done, {@code code} and {@code message} when not. */
    public record Outcome(boolean ok, JsonNode result, String code, String message) {
        static Outcome of(CommandResult r, ObjectNode extra) {
            if (!r.ok()) {
                return failed(r.code(), r.message());
            }
            ObjectNode result = Json.object().put("ok", true).put("code", r.code()).put("message", r.message());
            result.setAll(extra);
            return new Outcome(true, result, r.code(), r.message());
        }

        public static Outcome failed(String code, String message) {
            return new Outcome(false, null, code, message);
        }
    }

    public Outcome execute(CallSession session, ControlMessage command) {
        ObjectNode args = command.args() == null ? Json.object() : command.args();
        return switch (command.type()) {
            case HANGUP -> hangup(session, args);
            case TRANSFER -> transfer(session, args);
            case INSTRUCTIONS -> instructions(session, args);
        };
    }

    /** The end reason for a hang-up command's {@code reason} argument. */
    public static EndReason endReason(String reason) {
        return EndReason.codeOr(reason, EndReason.OPERATOR_HANGUP);
    }

    private Outcome hangup(CallSession session, ObjectNode args) {
        EndReason reason = endReason(text(args, "reason"));
        return Outcome.of(session.hangup(reason), Json.object().put("reason", reason.code()));
    }

    private Outcome transfer(CallSession session, ObjectNode args) {
        String target = text(args, "target");
        Optional<TransferMode> mode = Optional.empty();
        String rawMode = text(args, "mode");
        if (rawMode != null && !rawMode.isBlank()) {
            try {
                mode = Optional.of(TransferMode.parse(rawMode));
            } catch (IllegalArgumentException e) {
                return Outcome.failed("invalid_request", "mode must be warm or cold");
            }
        }
        boolean silent = args.path("silent").asBoolean(false);
        CommandResult result = session.transfer(target, text(args, "reason"), silent, mode,
                Optional.ofNullable(text(args, "message")));
        ObjectNode extra = Json.object();
        Optional<TransferTarget> resolved = transfer.resolve(target);
        if (resolved.isPresent()) {
            extra.put("target", resolved.get().name());
            extra.put("mode", mode.orElse(resolved.get().mode()).name().toLowerCase(Locale.ROOT));
        }
        extra.put("silent", silent);
        return Outcome.of(result, extra);
    }

    private Outcome instructions(CallSession session, ObjectNode args) {
        String text = text(args, "text");
        boolean respond = args.path("respond").asBoolean(false);
        return Outcome.of(session.sendInstructions(text, respond), Json.object().put("respond", respond));
    }

    private static String text(JsonNode args, String field) {
        JsonNode value = args.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
