package ai.phoneagent.control.commands;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallTable;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * One operator transfer at a time per call: a {@code TRANSFER#GUARD} item names the transfer command that holds the
 * call. A new transfer takes it by conditional write, or is refused with 409 {@code transfer_in_progress} (naming
 * the holder) and dials nobody. The guard is free again once its command failed, or finished more than
 * {@link #SETTLE} ago (a warm transfer's human is still ringing until then), or never appeared (a request that
 * died between taking the guard and storing its command).
 */
public final class TransferGuard {
    static final String SORT_KEY = "TRANSFER#GUARD";
    /** A transfer that finished keeps the call this long: the human's phone rings, or the REFER is being followed. */
    public static final Duration SETTLE = Duration.ofSeconds(60);
    /** How long a request waits for the guard holder's command to be stored (a concurrent request mid-way). */
    public static final Duration STORE_GRACE = Duration.ofSeconds(2);
    /** A guard whose command was never stored is abandoned after this long. */
    static final Duration ABANDONED_AFTER = Duration.ofSeconds(30);

    private final DynamoDbClient dynamo;
    private final String table;
    private final CommandStore commands;

    public TransferGuard(CallStore calls, CommandStore commands) {
        this.dynamo = calls.client();
        this.table = calls.tableName();
        this.commands = commands;
    }

    /** The transfer command that holds the call's guard now, if any. */
    public Optional<String> holder(String callId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(CallStore.key(callId, SORT_KEY))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item.get("commandId").s());
    }

    /** Takes the guard for {@code commandId}; 409 {@code transfer_in_progress} when another transfer holds it. */
    public void acquire(String callId, String commandId, Instant now) {
        Map<String, AttributeValue> key = CallStore.key(callId, SORT_KEY);
        Map<String, AttributeValue> current = dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
        String holder = current == null || current.isEmpty() ? null : current.get("commandId").s();
        if (holder != null) {
            Instant takenAt = Instant.ofEpochMilli(Long.parseLong(current.get("takenAt").n()));
            if (inProgress(callId, holder, takenAt, now)) {
                throw inProgressError(holder);
            }
        }
        Map<String, AttributeValue> item = new HashMap<>(key);
        item.put("commandId", AttributeValue.fromS(commandId));
        item.put("takenAt", AttributeValue.fromN(Long.toString(now.toEpochMilli())));
        item.put(CallTable.TTL_ATTRIBUTE, AttributeValue.fromN(Long.toString(now.plus(CallStore.RETENTION).getEpochSecond())));
        try {
            dynamo.putItem(b -> {
                b.tableName(table).item(item);
                if (holder == null) {
                    b.conditionExpression("attribute_not_exists(pk)");
                } else {
                    b.conditionExpression("commandId = :holder")
                            .expressionAttributeValues(Map.of(":holder", AttributeValue.fromS(holder)));
                }
            });
        } catch (ConditionalCheckFailedException e) {
            throw inProgressError(holder(callId).orElse(null)); // another transfer took it between our read and write
        }
    }

    /** Gives the guard back, if {@code commandId} still holds it (its command was never stored). */
    public void release(String callId, String commandId) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(CallStore.key(callId, SORT_KEY))
                    .conditionExpression("commandId = :mine")
                    .expressionAttributeValues(Map.of(":mine", AttributeValue.fromS(commandId))));
        } catch (ConditionalCheckFailedException e) {
            // someone else holds it now
        }
    }

    private boolean inProgress(String callId, String holder, Instant takenAt, Instant now) {
        Optional<Command> command = commands.get(callId, holder);
        if (command.isEmpty()) {
            return now.isBefore(takenAt.plus(ABANDONED_AFTER));
        }
        return switch (command.get().status()) {
            case PENDING -> true;
            case FAILED -> false;
            case DONE -> {
                Instant done = command.get().completedAt() == null ? takenAt : command.get().completedAt();
                yield now.isBefore(done.plus(SETTLE));
            }
        };
    }

    private static ApiError inProgressError(String holder) {
        ApiError error = new ApiError(409, ErrorCode.TRANSFER_IN_PROGRESS,
                "Another transfer of this call is in progress; follow it instead of starting a new one");
        return holder == null ? error : error.with("command_id", holder);
    }

}
