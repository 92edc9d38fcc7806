package ai.phoneagent.command;

import static ai.phoneagent.call.Attributes.instant;
import static ai.phoneagent.call.Attributes.n;
import static ai.phoneagent.call.Attributes.s;
import static ai.phoneagent.call.Attributes.string;
import static ai.phoneagent.call.Attributes.time;
import static ai.phoneagent.call.CallTable.PK;
import static ai.phoneagent.call.CallTable.SK;
import static ai.phoneagent.call.CallTable.callKey;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallTable;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Operator commands in the call table. An idempotency key maps to exactly one command per call, so a retried
 * request finds the first command instead of creating a second one.
 */
public final class CommandStore {
    private final DynamoDbClient dynamo;
    private final String table;

    public CommandStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** The outcome of {@link #create}: the new command, or the earlier one with the same idempotency key. */
    public record Created(boolean created, Command command) {
    }

    /** Stores a pending command; with an idempotency key already used on this call, returns that command. */
    public Created create(Command command) {
        Map<String, AttributeValue> item = toItem(command);
        if (command.idempotencyKey() == null) {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return new Created(true, command);
        }
        return switch (transact(command, item, null)) {
            case Taking.Stored stored -> new Created(true, command);
            case Taking.Duplicate duplicate -> new Created(false, duplicate.earlier());
            case Taking.Refused refused -> throw new IllegalStateException("no write beside the command to refuse it");
        };
    }

    /** The outcome of {@link #createTaken}. */
    public sealed interface Taking {
        /** The command is stored, taken by its executor, and the write beside it made. */
        record Stored(Command command) implements Taking {
        }

        /** A command with the same idempotency key was stored first: that one. Nothing was written. */
        record Duplicate(Command earlier) implements Taking {
        }

        /** The write beside the command was refused (its condition failed). Nothing was written. */
        record Refused() implements Taking {
        }
    }

    /**
     * Stores a pending command already taken by {@code executor} (as {@link #claimExecution} would), together with
     * {@code beside}, a conditional write to another item, in one transaction: both land or neither does. Nobody else
     * can carry the command out, since it is taken before anyone can see it.
     */
    public Taking createTaken(Command command, String executor, Update beside) {
        Map<String, AttributeValue> item = toItem(command);
        item.put(EXECUTOR, s(executor));
        item.put(EXECUTING_AT, time(command.requestedAt()));
        return transact(command, item, beside);
    }

    /**
     * Writes the command (with its idempotency-key marker when it has a key, and {@code beside} when given) in one
     * transaction. A transaction that loses to a concurrent one with the same key is retried briefly until that one's
     * marker can be read.
     */
    private Taking transact(Command command, Map<String, AttributeValue> item, Update beside) {
        List<TransactWriteItem> writes = new ArrayList<>();
        int markerAt = -1;
        if (command.idempotencyKey() != null) {
            markerAt = writes.size();
            writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(marker(command))
                    .conditionExpression("attribute_not_exists(pk)").build()).build());
        }
        writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").build()).build());
        int besideAt = -1;
        if (beside != null) {
            besideAt = writes.size();
            writes.add(TransactWriteItem.builder().update(beside).build());
        }
        TransactionCanceledException lastConflict = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                dynamo.transactWriteItems(b -> b.transactItems(writes));
                return new Taking.Stored(command);
            } catch (TransactionCanceledException e) {
                if (markerAt >= 0) {
                    Optional<String> firstId = firstWithKey(command);
                    if (firstId.isPresent()) {
                        return new Taking.Duplicate(get(command.callId(), firstId.get()).orElseThrow(() -> e));
                    }
                }
                if (failedCondition(e, besideAt)) {
                    return new Taking.Refused();
                }
                // A concurrent request with the same key is mid-transaction (TransactionConflict): once it commits,
                // the marker is there to read, so wait briefly and try again.
                lastConflict = e;
                java.util.concurrent.locks.LockSupport.parkNanos(
                        java.util.concurrent.ThreadLocalRandom.current().nextLong(20_000_000L, 60_000_000L));
            }
        }
        throw lastConflict;
    }

    /** The id of the command stored first under {@code command}'s idempotency key, once its marker can be read. */
    private Optional<String> firstWithKey(Command command) {
        var existing = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(CallStore.key(command.callId(), idempotencyKey(command.idempotencyKey()))));
        if (!existing.hasItem() || existing.item().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(string(existing.item(), "commandId"));
    }

    private static boolean failedCondition(TransactionCanceledException e, int index) {
        return index >= 0 && e.hasCancellationReasons() && index < e.cancellationReasons().size()
                && "ConditionalCheckFailed".equals(e.cancellationReasons().get(index).code());
    }

    private Map<String, AttributeValue> marker(Command command) {
        return Map.of(
                PK, s(callKey(command.callId())),
                SK, s(idempotencyKey(command.idempotencyKey())),
                "commandId", s(command.commandId()),
                CallTable.TTL_ATTRIBUTE, n(command.requestedAt().plus(CallStore.RETENTION).getEpochSecond()));
    }

    /** The command, read consistently. */
    public Optional<Command> get(String callId, String commandId) {
        var response = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(CallStore.key(callId, "CMD#" + commandId)));
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(fromItem(response.item())) : Optional.empty();
    }

    /** Attribute on the {@code CMD#} item: who took the command to carry it out. */
    public static final String EXECUTOR = "executor";
    /** Attribute on the {@code CMD#} item: when it was taken (epoch ms). */
    public static final String EXECUTING_AT = "executingAt";

    /**
     * The outcome of {@link #claimExecution}: whether this caller may carry the command out now, and otherwise the
     * command's status and who took it when (null when nobody did).
     */
    public record ExecutionClaim(boolean claimed, CommandStatus status, String executor, Instant startedAt) {
    }

    /**
     * Takes the right to carry out a pending command, once per command id: a second delivery of its message (SQS is
     * at-least-once, and a control request may re-send a stranded command) finds it taken or finished. Empty when
     * there is no such command.
     */
    public Optional<ExecutionClaim> claimExecution(String callId, String commandId, String executor, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(CallStore.key(callId, "CMD#" + commandId))
                    .updateExpression("SET #executor = :executor, #at = :now")
                    .conditionExpression("attribute_exists(pk) AND #status = :pending AND attribute_not_exists(#executor)")
                    .expressionAttributeNames(Map.of("#status", "status", "#executor", EXECUTOR, "#at", EXECUTING_AT))
                    .expressionAttributeValues(Map.of(":executor", s(executor), ":now", time(now),
                            ":pending", s(CommandStatus.PENDING.name()))));
            return Optional.of(new ExecutionClaim(true, CommandStatus.PENDING, executor, now));
        } catch (ConditionalCheckFailedException e) {
            var response = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(CallStore.key(callId, "CMD#" + commandId)));
            if (!response.hasItem() || response.item().isEmpty()) {
                return Optional.empty();
            }
            Map<String, AttributeValue> item = response.item();
            return Optional.of(new ExecutionClaim(false, CommandStatus.valueOf(string(item, "status")),
                    string(item, EXECUTOR), instant(item, EXECUTING_AT)));
        }
    }

    /** Marks a pending command done with its result; false when it had already completed. */
    public boolean complete(String callId, String commandId, JsonNode result, Instant now) {
        return finish(callId, commandId, CommandStatus.DONE, "result", s(Json.write(result)), now);
    }

    /** Marks a pending command failed with a reason; false when it had already completed. */
    public boolean fail(String callId, String commandId, String reason, Instant now) {
        return finish(callId, commandId, CommandStatus.FAILED, "error", s(reason == null ? "failed" : reason), now);
    }

    /**
     * Marks a pending command failed with a machine-readable {@code code} ({@code call_ended}, {@code upstream_error},
     * …, stored as {@code errorCode}) and words for people ({@code error}); false when it had already completed.
     */
    public boolean fail(String callId, String commandId, String code, String message, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(CallStore.key(callId, "CMD#" + commandId))
                    .updateExpression("SET #status = :status, #error = :message, errorCode = :code, completedAt = :now")
                    .conditionExpression("#status = :pending")
                    .expressionAttributeNames(Map.of("#status", "status", "#error", "error"))
                    .expressionAttributeValues(Map.of(":status", s(CommandStatus.FAILED.name()),
                            ":message", s(message == null || message.isBlank() ? code : message), ":code", s(code),
                            ":now", time(now), ":pending", s(CommandStatus.PENDING.name()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private boolean finish(String callId, String commandId, CommandStatus status, String field, AttributeValue value,
                           Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(CallStore.key(callId, "CMD#" + commandId))
                    .updateExpression("SET #status = :status, #field = :value, completedAt = :now")
                    .conditionExpression("#status = :pending")
                    .expressionAttributeNames(Map.of("#status", "status", "#field", field))
                    .expressionAttributeValues(Map.of(":status", s(status.name()), ":value", value,
                            ":now", time(now), ":pending", s(CommandStatus.PENDING.name()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Commands of a call still pending (e.g. for a worker that takes a call over). */
    public List<Command> pending(String callId) {
        return dynamo.query(b -> b.tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :cmd)")
                        .expressionAttributeValues(Map.of(":pk", s(callKey(callId)), ":cmd", s("CMD#"))))
                .items().stream().map(CommandStore::fromItem)
                .filter(c -> c.status() == CommandStatus.PENDING)
                .toList();
    }

    private static String idempotencyKey(String key) {
        return "IDEMP#" + key;
    }

    private static Map<String, AttributeValue> toItem(Command c) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(callKey(c.callId())));
        item.put(SK, s("CMD#" + c.commandId()));
        item.put("callId", s(c.callId()));
        item.put("commandId", s(c.commandId()));
        item.put("type", s(c.type().wireName()));
        item.put("args", s(Json.write(c.args() == null ? Json.object() : c.args())));
        item.put("status", s(c.status().name()));
        item.put("requestedAt", time(c.requestedAt()));
        item.put(CallTable.TTL_ATTRIBUTE, n(c.requestedAt().plus(CallStore.RETENTION).getEpochSecond()));
        if (c.idempotencyKey() != null) {
            item.put("idempotencyKey", s(c.idempotencyKey()));
        }
        return item;
    }

    private static Command fromItem(Map<String, AttributeValue> item) {
        JsonNode result = null;
        String rawResult = string(item, "result");
        ObjectNode args = Json.object();
        try {
            if (rawResult != null) {
                result = Json.parse(rawResult);
            }
            JsonNode parsedArgs = Json.parse(string(item, "args"));
            if (parsedArgs instanceof ObjectNode o) {
                args = o;
            }
        } catch (Exception e) {
            // stored by us as JSON; a damaged value reads as empty rather than failing the whole request
        }
        return new Command(string(item, "callId"), string(item, "commandId"),
                CommandType.fromWire(string(item, "type")).orElseThrow(),
                args, CommandStatus.valueOf(string(item, "status")), result, string(item, "error"),
                string(item, "errorCode"), string(item, "idempotencyKey"), instant(item, "requestedAt"), instant(item, "completedAt"));
    }
}
