package ai.phoneagent.command;

import ai.phoneagent.logging.LogContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * An operator command ({@code CALL#id / CMD#commandId}). {@code result} is the worker's JSON answer when done;
 * {@code error} its reason when failed, and {@code errorCode} the machine-readable code of that reason (absent on
 * commands failed before codes were stored).
 */
public record Command(String callId, String commandId, CommandType type, ObjectNode args, CommandStatus status,
                      JsonNode result, String error, String errorCode, String idempotencyKey, Instant requestedAt,
                      Instant completedAt) {
    /** A new pending command. */
    public static Command pending(String callId, String commandId, CommandType type, ObjectNode args,
                                  String idempotencyKey, Instant requestedAt) {
        return new Command(callId, commandId, type, args, CommandStatus.PENDING, null, null, null, idempotencyKey,
                requestedAt, null);
    }

    /** The message that carries this command on the call's control queue, in the running request's trace of the call. */
    public ControlMessage message() {
        return new ControlMessage(commandId, type, args, requestedAt.toEpochMilli(), LogContext.traceIdFor(callId));
    }
}
