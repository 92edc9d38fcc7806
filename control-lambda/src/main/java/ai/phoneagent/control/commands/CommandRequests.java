package ai.phoneagent.control.commands;

import ai.phoneagent.command.CommandType;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ErrorCode;
import ai.phoneagent.control.api.JsonBodies;
import ai.phoneagent.json.Json;
import ai.phoneagent.tools.TransferConfig;
import ai.phoneagent.tools.TransferMode;
import ai.phoneagent.tools.TransferTarget;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Turns an operator's request body into the {@code args} of a command, validating it against configuration. Only
 * known fields are copied, so unknown ones are ignored and never reach the worker.
 *
 * <ul>
 *   <li>transfer: {@code {"target": <allow-listed name>, "mode": "warm"|"cold", "message"?, "silent"?, "reason"?}}
 *       (the target's number never travels: the worker resolves the name from its own configuration);</li>
 *   <li>hangup: {@code {"reason"?}};</li>
 *   <li>instructions: {@code {"text", "respond"?, "reason"?}}.</li>
 * </ul>
 */
public final class CommandRequests {
    public static final int MAX_REASON = 500;
    public static final int MAX_MESSAGE = 1000;
    public static final int MAX_INSTRUCTIONS = 12_000;

    private final TransferConfig transfer;

    public CommandRequests(TransferConfig transfer) {
        this.transfer = transfer;
    }

    /** The command's args; 400 {@code invalid_request} or {@code invalid_transfer_target} when the body is wrong. */
    public ObjectNode args(CommandType type, ObjectNode body) {
        ObjectNode args = Json.object();
        switch (type) {
            case TRANSFER -> transferArgs(body, args);
            case HANGUP -> {
            }
            case INSTRUCTIONS -> {
                String text = JsonBodies.optionalText(body, "text", MAX_INSTRUCTIONS);
                if (text == null || text.isBlank()) {
                    throw ApiError.invalidRequest("'text' is required");
                }
                args.put("text", text);
                Boolean respond = JsonBodies.optionalBoolean(body, "respond");
                if (respond != null) {
                    args.put("respond", respond);
                }
            }
        }
        String reason = JsonBodies.optionalText(body, "reason", MAX_REASON);
        if (reason != null && !reason.isBlank()) {
            args.put("reason", reason.strip());
        }
        return args;
    }

    private void transferArgs(ObjectNode body, ObjectNode args) {
        String requested = JsonBodies.optionalText(body, "target", 64);
        if (!transfer.enabled()) {
            throw new ApiError(400, ErrorCode.INVALID_TRANSFER_TARGET, "No transfer targets are configured");
        }
        Optional<TransferTarget> target = transfer.resolve(requested);
        if (target.isEmpty()) {
            throw new ApiError(400, ErrorCode.INVALID_TRANSFER_TARGET, requested == null || requested.isBlank()
                    ? "No default transfer target is configured; name one of " + transfer.targetNames()
                    : "Unknown transfer target; use one of " + transfer.targetNames());
        }
        TransferMode mode = target.get().mode();
        String rawMode = JsonBodies.optionalText(body, "mode", 16);
        if (rawMode != null) {
            try {
                mode = TransferMode.parse(rawMode);
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidRequest("'mode' must be warm or cold");
            }
        }
        if (mode == TransferMode.WARM && transfer.twilio().isEmpty()) {
            throw ApiError.invalidRequest("Warm transfer needs Twilio credentials; use mode cold");
        }
        args.put("target", target.get().name());
        args.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        String message = JsonBodies.optionalText(body, "message", MAX_MESSAGE);
        if (message != null && !message.isBlank()) {
            args.put("message", message);
        }
        Boolean silent = JsonBodies.optionalBoolean(body, "silent");
        if (silent != null) {
            args.put("silent", silent);
        }
    }
}
