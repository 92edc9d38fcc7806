package ai.phoneagent.command;

import static ai.phoneagent.call.Attributes.instant;
import static ai.phoneagent.call.Attributes.n;
import static ai.phoneagent.call.Attributes.s;
import static ai.phoneagent.call.Attributes.string;
import static ai.phoneagent.call.Attributes.time;

import ai.phoneagent.call.CallStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Whether a command has been put on its call's control queue, so a retried control request (same
 * {@code Idempotency-Key}) can tell "sent, still running" from "the first request died between storing the command
 * and sending it". Adds two attributes to the {@code CMD#} item that {@link CommandStore} ignores: {@code sentAt}
 * (set after a successful send) and {@code dispatchUntil} (a lease taken by a request that re-sends a stranded
 * command).
 *
 * <p>The request that creates a command sends it without a lease. A retry may re-send only a command that is still
 * pending, was never marked sent, was requested more than {@code lease} ago (longer than any control request can
 * live, so the first request is gone) and is not leased by another retry; that makes the window for a double send
 * a crash between a successful send and {@link #markSent}, which the worker covers by completing each command id
 * once.
 */
public final class CommandDispatch {
    /** Attribute set once the command's message is on the queue (epoch ms). */
    public static final String SENT_AT = "sentAt";
    /** Attribute holding the lease of a request re-sending a stranded command (epoch ms). */
    public static final String DISPATCH_UNTIL = "dispatchUntil";

    private final DynamoDbClient dynamo;
    private final String table;

    public CommandDispatch(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** The sort key of the marker {@link CommandStore#create} writes for an idempotency key. */
    public static String idempotencyMarkerKey(String idempotencyKey) {
        return "IDEMP#" + idempotencyKey;
    }

    /** The id of the command created on this call with this idempotency key, read consistently. */
    public Optional<String> commandIdForKey(String callId, String idempotencyKey) {
        var response = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(CallStore.key(callId, idempotencyMarkerKey(idempotencyKey))));
        return response.hasItem() && !response.item().isEmpty()
                ? Optional.ofNullable(string(response.item(), "commandId")) : Optional.empty();
    }

    /** Records that the command's message is on the queue. */
    public void markSent(String callId, String commandId, String messageId, Instant now) {
        dynamo.updateItem(b -> b.tableName(table)
                .key(CallStore.key(callId, "CMD#" + commandId))
                .updateExpression("SET #sentAt = :now, sqsMessageId = :id REMOVE #lease")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#sentAt", SENT_AT, "#lease", DISPATCH_UNTIL))
                .expressionAttributeValues(Map.of(":now", time(now), ":id", s(messageId == null ? "" : messageId))));
    }

    /** When the command was sent, if it was. */
    public Optional<Instant> sentAt(String callId, String commandId) {
        var response = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(CallStore.key(callId, "CMD#" + commandId))
                .projectionExpression("#sentAt")
                .expressionAttributeNames(Map.of("#sentAt", SENT_AT)));
        return response.hasItem() ? Optional.ofNullable(instant(response.item(), SENT_AT)) : Optional.empty();
    }

    /**
     * Takes the right to re-send a stranded command: pending, never sent, requested before {@code now - lease} and
     * not leased by someone else. True when this caller should send it now.
     */
    public boolean claimStranded(String callId, String commandId, Instant now, Duration lease) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(CallStore.key(callId, "CMD#" + commandId))
                    .updateExpression("SET #lease = :until ADD dispatchAttempts :one")
                    .conditionExpression("#status = :pending AND attribute_not_exists(#sentAt) AND requestedAt < :stale"
                            + " AND (attribute_not_exists(#lease) OR #lease < :now)")
                    .expressionAttributeNames(Map.of("#status", "status", "#sentAt", SENT_AT, "#lease", DISPATCH_UNTIL))
                    .expressionAttributeValues(Map.of(
                            ":until", time(now.plus(lease)),
                            ":one", n(1),
                            ":pending", s(CommandStatus.PENDING.name()),
                            ":stale", time(now.minus(lease)),
                            ":now", time(now))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
