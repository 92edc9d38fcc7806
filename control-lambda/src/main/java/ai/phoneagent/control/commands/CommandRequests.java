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
import java.util.List;
import java.util.Optional;

/**
 * Turns an operator's request body into the {@code args} of a command, validating it against configuration. Only
 * known fields are copied, so unknown ones are ignored and never reach the worker.
 *
 * <ul>
 *   <li>transfer: {@code {"target": <allow-listed name>, "mode": "warm"|"cold", "message"?, "silent"?, "reason"?}}
 *       (the target's number never travels: the worker resolves the name from its own configuration). The original
 *       API's fields are understood too: {@code target_uri}/{@code targetUri}/{@code to}/{@code number} (matched
 *       against configured targets only), {@code transfer_mode} and mode {@code twilio} (= warm),
 *       {@code confirmationMessage} (= message);</li>
 *   <li>hangup: {@code {"reason"?}};</li>
 *   <li>instructions: {@code {"text", "respond"?, "reason"?}}.</li>
 * </ul>
 */
public final class CommandRequests {
    public static final int MAX_REASON = 2000;
    /** The original API's names for a transfer's destination; matched only against configured targets. */
    static final List<String> ADDRESS_FIELDS = List.of("target_uri", "targetUri", "to", "number");
    static final List<String> MODE_FIELDS = List.of("mode", "transfer_mode");
    static final List<String> MESSAGE_FIELDS = List.of("message", "confirmationMessage");
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
        Optional<TransferTarget> byAddress = targetByAddress(body);
        Optional<TransferTarget> target = byAddress.isPresent() && (requested == null || requested.isBlank())
                ? byAddress : transfer.resolve(requested);
        if (target.isEmpty()) {
            throw new ApiError(400, ErrorCode.INVALID_TRANSFER_TARGET, requested == null || requested.isBlank()
                    ? "No default transfer target is configured; name one of " + transfer.targetNames()
                    : "Unknown transfer target; use one of " + transfer.targetNames());
        }
        if (byAddress.isPresent() && !byAddress.get().name().equals(target.get().name())) {
            throw ApiError.invalidRequest("'target' and the address fields name different transfer targets");
        }
        TransferMode mode = target.get().mode();
        String rawMode = oneOf(body, MODE_FIELDS, 16);
        if (rawMode != null) {
            mode = parseMode(rawMode);
        }
        if (mode == TransferMode.WARM && transfer.twilio().isEmpty()) {
            throw ApiError.invalidRequest("Warm transfer needs Twilio credentials; use mode cold");
        }
        args.put("target", target.get().name());
        args.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        String message = oneOf(body, MESSAGE_FIELDS, MAX_MESSAGE);
        if (message != null && !message.isBlank()) {
            args.put("message", message);
        }
        Boolean silent = JsonBodies.optionalBoolean(body, "silent");
        if (silent != null) {
            args.put("silent", silent);
        }
    }

    /**
     * The target the original API's address fields name ({@code target_uri}, {@code targetUri}, {@code to},
     * {@code number}): only a configured target's own number or URI (or its name) matches; anything else is
     * 400 {@code unknown_target}, so a request can never make the agent dial a number of its choosing.
     */
    private Optional<TransferTarget> targetByAddress(ObjectNode body) {
        String address = oneOf(body, ADDRESS_FIELDS, 256);
        if (address == null || address.isBlank()) {
            return Optional.empty();
        }
        String wanted = address.strip();
        String normalised = TransferTarget.normalise(wanted.replaceAll("[\\s().\\-]", ""));
        for (TransferTarget target : transfer.targets().values()) {
            if (target.uri().equalsIgnoreCase(normalised) || target.uri().equalsIgnoreCase(wanted)
                    || target.dialString().equalsIgnoreCase(wanted) || target.name().equalsIgnoreCase(wanted)) {
                return Optional.of(target);
            }
        }
        throw new ApiError(400, ErrorCode.UNKNOWN_TARGET,
                "The address matches no configured transfer target; use one of " + transfer.targetNames());
    }

    /** {@code warm}, {@code cold}, or the original API's {@code twilio} (a warm transfer through Twilio). */
    static TransferMode parseMode(String raw) {
        String mode = raw.strip().toLowerCase(java.util.Locale.ROOT);
        if (mode.equals("twilio")) {
            return TransferMode.WARM;
        }
        try {
            return TransferMode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest("'mode' must be warm, cold or twilio");
        }
    }

    /** The value of whichever of these synonymous fields is present; 400 when two disagree. */
    private static String oneOf(ObjectNode body, List<String> fields, int max) {
        String found = null;
        String foundField = null;
        for (String field : fields) {
            String value = JsonBodies.optionalText(body, field, max);
            if (value == null) {
                continue;
            }
            if (found != null && !found.strip().equalsIgnoreCase(value.strip())) {
                throw ApiError.invalidRequest("'" + foundField + "' and '" + field + "' disagree");
            }
            found = value;
            foundField = field;
        }
        return found;
    }
}
