package ai.phoneagent.control.commands;

import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandStatus;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ApiResponse;
import ai.phoneagent.control.api.ErrorCode;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/** HTTP answers for commands. */
public final class CommandViews {
    static final int MAX_ERROR = 500;

    private CommandViews() {
    }

    /**
     * The answer to a command request: 200 done with the worker's result, 409 {@code call_ended} when the command found
     * the call over (typed by the command's {@code errorCode}), 502 {@code upstream_error} with its reason,
     * 503 {@code worker_unavailable} when it never reached the queue, or 202 pending.
     */
    public static ApiResponse outcome(CommandService.Outcome outcome) {
        Command command = outcome.command();
        ApiResponse response = switch (command.status()) {
            case DONE -> {
                ObjectNode body = Json.object().put("status", "done").put("command_id", command.commandId());
                body.set("result", command.result() == null ? NullNode.getInstance() : command.result());
                yield ApiResponse.ok(200, body);
            }
            case FAILED -> CommandService.DISPATCH_FAILED.equals(command.error())
                    ? CommandService.workerUnavailable(command.commandId()).toResponse()
                    : ErrorCode.CALL_ENDED.equals(command.errorCode())
                    ? new ApiError(409, ErrorCode.CALL_ENDED, errorText(command))
                            .with("command_id", command.commandId()).toResponse()
                    : new ApiError(502, ErrorCode.UPSTREAM_ERROR, errorText(command))
                            .with("command_id", command.commandId()).toResponse();
            case PENDING -> ApiResponse.ok(202, Json.object().put("status", "pending")
                            .put("command_id", command.commandId()))
                    .withHeader("location", location(command));
        };
        if (outcome.replayed()) {
            response.withHeader("idempotent-replayed", "true");
        }
        return response;
    }

    /** {@code GET …/commands/{id}}: the command's current state. */
    public static ApiResponse resource(Command command) {
        ObjectNode body = Json.object()
                .put("command_id", command.commandId())
                .put("call_id", command.callId())
                .put("type", command.type().wireName())
                .put("status", command.status().name().toLowerCase(Locale.ROOT));
        body.set("args", command.args() == null ? Json.object() : command.args());
        if (command.status() == CommandStatus.DONE) {
            body.set("result", command.result() == null ? NullNode.getInstance() : command.result());
        }
        if (command.status() == CommandStatus.FAILED) {
            boolean undelivered = CommandService.DISPATCH_FAILED.equals(command.error());
            body.putObject("error")
                    .put("code", undelivered ? ErrorCode.WORKER_UNAVAILABLE
                            : ErrorCode.CALL_ENDED.equals(command.errorCode()) ? ErrorCode.CALL_ENDED : ErrorCode.UPSTREAM_ERROR)
                    .put("message", errorText(command));
        }
        if (command.requestedAt() != null) {
            body.put("requested_at", command.requestedAt().toString());
        }
        if (command.completedAt() != null) {
            body.put("completed_at", command.completedAt().toString());
        }
        return ApiResponse.ok(200, body);
    }

    private static String errorText(Command command) {
        String error = command.error() == null || command.error().isBlank() ? "The worker could not carry out the command"
                : command.error();
        return error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR);
    }

    private static String location(Command command) {
        return "/control/calls/" + command.callId() + "/commands/" + command.commandId();
    }
}
