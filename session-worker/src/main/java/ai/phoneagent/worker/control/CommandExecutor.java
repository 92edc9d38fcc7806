package ai.phoneagent.worker.control;

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
import java.util.regex.Pattern;

/**
 * Carries out one operator command on a hosted call through the session's command seam, the same code the model's
 * tools use: {@code hangup} (OpenAI hang-up), {@code transfer} (allow-listed target names only, warm or cold, spoken
 * unless {@code silent}) and {@code instructions} (a system message, then {@code response.create} when
 * {@code respond}). Never throws for bad arguments: they become a failed outcome.
 */
public final class CommandExecutor {
    /** The end reason of an operator hang-up whose {@code reason} is free text (or missing). */
    public static final String OPERATOR_HANGUP = "operator_hangup";
    /** A machine-readable reason ({@code warm_transfer_complete}) becomes the call's end reason as it is. */
    private static final Pattern REASON_CODE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

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

        /** The failure as the {@code CMD#} item's {@code error}: {@code <code>: <message>}. */
        public String failure() {
            return code + ": " + message;
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
    public static String endReason(String reason) {
        return reason != null && REASON_CODE.matcher(reason.strip()).matches() ? reason.strip() : OPERATOR_HANGUP;
    }

    private Outcome hangup(CallSession session, ObjectNode args) {
        String reason = endReason(text(args, "reason"));
        return Outcome.of(session.hangup(reason), Json.object().put("reason", reason));
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
