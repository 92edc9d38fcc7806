package ai.phoneagent.call;

import static ai.phoneagent.call.Attributes.instant;
import static ai.phoneagent.call.Attributes.n;
import static ai.phoneagent.call.Attributes.number;
import static ai.phoneagent.call.Attributes.s;
import static ai.phoneagent.call.Attributes.string;
import static ai.phoneagent.call.Attributes.time;
import static ai.phoneagent.call.CallTable.GSI1;
import static ai.phoneagent.call.CallTable.GSI1_PK;
import static ai.phoneagent.call.CallTable.GSI1_SK;
import static ai.phoneagent.call.CallTable.META;
import static ai.phoneagent.call.CallTable.PK;
import static ai.phoneagent.call.CallTable.SK;
import static ai.phoneagent.call.CallTable.callKey;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.LogContext;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The call table on DynamoDB. Every status change is a conditional write, so concurrent webhook deliveries,
 * workers and control requests can never move a call backwards or give it two owners.
 */
public final class CallStore {
    /** How long ended calls (and their turns, events and commands) are kept. */
    public static final Duration RETENTION = Duration.ofDays(90);
    /** Attribute on the call item: when a sweep last orphaned the call or looked at it while orphaned (epoch ms). */
    public static final String SWEPT_AT = "sweptAt";
    /** Attribute on the call item: when it last became {@code ORPHANED}; its orphan deadline counts from here. */
    public static final String ORPHANED_AT = "orphanedAt";
    /** Attribute on the call item: whether its greeting has gone out ({@link GreetingState}). */
    static final String GREETING = "greeting";
    /** When the control side first made the call's control queue (epoch ms); absent: it was never made. */
    public static final String CONTROL_QUEUE_MADE_AT = "controlQueueMadeAt";
    /**
     * Attributes on the call item naming a hang-up the control side sent to OpenAI for a call a worker may hold: the
     * command, its end reason and when it was sent (epoch ms). The owner's end write takes the reason from them when
     * the end it saw is an observed one ({@link #endObserved}); written with the command, atomically
     * ({@link #controlHangupMark}).
     */
    public static final String CONTROL_HANGUP_COMMAND = "controlHangupCommand";
    public static final String CONTROL_HANGUP_REASON = "controlHangupReason";
    public static final String CONTROL_HANGUP_AT = "controlHangupAt";
    /** How long after the control side's hang-up an observed end is taken to be that hang-up. */
    public static final Duration CONTROL_HANGUP_FRESH = Duration.ofSeconds(30);
    /** The call exists and has not ended (expects {@code #status} and the values of {@link #notEnded(Map)}). */
    private static final String NOT_ENDED = "attribute_exists(pk) AND NOT #status IN (:ended, :gone, :failed)";
    private static final String END_CLAIM_BY = "endClaimBy";
    private static final String END_CLAIM_UNTIL = "endClaimUntil";
    /** No sweep is ending the call right now (expects {@code :now}). */
    private static final String NO_END_CLAIM = "(attribute_not_exists(" + END_CLAIM_UNTIL + ") OR " + END_CLAIM_UNTIL
            + " < :now)";

    private final DynamoDbClient dynamo;
    private final String table;

    public CallStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public String tableName() {
        return table;
    }

    public DynamoDbClient client() {
        return dynamo;
    }

    /** Result of recording an incoming call: whether this delivery created it, and the stored record. */
    public record Recorded(boolean created, CallRecord call) {
    }

    // ---------------------------------------------------------------- intake

    /** Creates the call item in {@code RECEIVED} unless it exists; either way returns the stored record. */
    public Recorded recordIncoming(IncomingCall call, Instant now) {
        return record(newCallItem(call, now), call);
    }

    /**
     * The first write of a new call's intake: creates the call in {@code RECEIVED} <em>holding the accept claim</em>
     * ({@code token} until {@code now + lease}) in one conditional put, so the delivery that creates the call may
     * accept it at once. When the call exists, nothing is written and the stored record comes back with the failed
     * condition (no second read): {@code created} false, and the caller must claim the step it finds.
     */
    public Recorded recordIncoming(IncomingCall call, Instant now, String token, Duration lease) {
        return recordIncoming(call, now, token, lease, null);
    }

    /**
     * As {@link #recordIncoming(IncomingCall, Instant, String, Duration)}, also storing {@code toolCatalog} (null:
     * none), the fingerprint of the tools this delivery will offer at accept: a worker may claim the call before the
     * mark after the accept lands (which stores it again), and must find it then.
     */
    public Recorded recordIncoming(IncomingCall call, Instant now, String token, Duration lease, String toolCatalog) {
        Map<String, AttributeValue> item = newCallItem(call, now);
        item.put(Step.ACCEPT.claimAttribute, s(token));
        item.put(Step.ACCEPT.claimAttribute + "Until", time(now.plus(lease)));
        if (toolCatalog != null) {
            item.put("toolCatalog", s(toolCatalog));
        }
        return record(item, call);
    }

    private Map<String, AttributeValue> newCallItem(IncomingCall call, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(callKey(call.callId())));
        item.put(SK, s(META));
        item.put("callId", s(call.callId()));
        item.put("status", s(CallStatus.RECEIVED.name()));
        item.put("webhookId", s(call.webhookId()));
        call.from().ifPresent(v -> item.put("from", s(v)));
        call.to().ifPresent(v -> item.put("to", s(v)));
        call.conferenceName().ifPresent(v -> item.put("conferenceName", s(v)));
        call.callToken().ifPresent(v -> item.put("callToken", s(v)));
        item.put("sipHeaders", s(SipHeader.toJson(call.sipHeaders())));
        String traceId = LogContext.traceIdFor(call.callId()); // the webhook's trace for this call
        if (traceId != null) {
            item.put("traceId", s(traceId));
        }
        item.put("createdAt", time(now));
        item.put("direction", s(CallRecord.INBOUND));
        item.put(GREETING, s(GreetingState.DUE.wireName()));
        item.put("nextSeq", n(0));
        item.put("version", n(1));
        item.put(GSI1_PK, s(CallTable.LIVE));
        item.put(GSI1_SK, s(sortKey(now, call.callId())));
        item.put(CallTable.TTL_ATTRIBUTE, n(now.plus(RETENTION).getEpochSecond()));
        return item;
    }

    private Recorded record(Map<String, AttributeValue> item, IncomingCall call) {
        try {
            dynamo.putItem(PutItemRequest.builder()
                    .tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(pk)")
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build());
            return new Recorded(true, toRecord(item, call.sipHeaders())); // the headers just written, not re-parsed
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> existing = e.item();
            if (existing != null && item.containsKey(Step.ACCEPT.claimAttribute)
                    && item.get(Step.ACCEPT.claimAttribute).equals(existing.get(Step.ACCEPT.claimAttribute))) {
                // our own put, landed once already: a retry of it (the SDK's or the JDK's) after an answer was lost
                return new Recorded(true, toRecord(item, call.sipHeaders()));
            }
            return new Recorded(false, existing != null && !existing.isEmpty()
                    ? toRecord(existing) : get(call.callId()).orElseThrow());
        }
    }

    /** The call, read consistently. */
    public Optional<CallRecord> get(String callId) {
        var response = dynamo.getItem(GetItemRequest.builder()
                .tableName(table)
                .key(key(callId, META))
                .consistentRead(true)
                .build());
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(toRecord(response.item())) : Optional.empty();
    }

    /**
     * Takes the right to accept a {@code RECEIVED} call for {@code lease}; only one delivery at a time holds it,
     * and it lapses so a crashed holder does not strand the call.
     */
    public boolean claimStep(String callId, Step step, String token, Instant now, Duration lease) {
        return update(callId,
                "SET #claim = :token, #claimUntil = :until",
                "#status = :status AND (attribute_not_exists(#claimUntil) OR #claimUntil < :now)",
                Map.of("#status", "status", "#claim", step.claimAttribute, "#claimUntil", step.claimAttribute + "Until"),
                Map.of(":token", s(token), ":until", time(now.plus(lease)), ":now", time(now),
                        ":status", s(step.from.name())));
    }

    /** Gives a claim back after a failure, so the next delivery can try at once. */
    public void releaseStep(String callId, Step step, String token) {
        update(callId, "REMOVE #claim, #claimUntil", "#claim = :token",
                Map.of("#claim", step.claimAttribute, "#claimUntil", step.claimAttribute + "Until"),
                Map.of(":token", s(token)));
    }

    /** Completes a claimed step: moves the call to the step's next status and drops the claim. */
    public boolean completeStep(String callId, Step step, String token, Instant now) {
        return completeStep(callId, step, token, now, null);
    }

    /**
     * Completes the claimed accept step as {@link #completeStep} does, and stores {@code toolCatalog}: the fingerprint
     * of the tools the call was accepted with.
     */
    public boolean completeAccept(String callId, String token, Instant now, String toolCatalog) {
        return completeStep(callId, Step.ACCEPT, token, now, toolCatalog);
    }

    private boolean completeStep(String callId, Step step, String token, Instant now, String toolCatalog) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":to", s(step.to.name()), ":from", s(step.from.name()),
                ":token", s(token), ":now", time(now), ":one", n(1)));
        String set = "SET #status = :to, #at = :now, version = version + :one";
        if (toolCatalog != null) {
            set += ", toolCatalog = :tools";
            values.put(":tools", s(toolCatalog));
        }
        return update(callId, set + " REMOVE #claim, #claimUntil",
                "#status = :from AND #claim = :token",
                Map.of("#status", "status", "#claim", step.claimAttribute, "#claimUntil", step.claimAttribute + "Until",
                        "#at", step.timestampAttribute),
                values);
    }

    /**
     * The one write after a successful accept, beside (or before) the queue message: the call becomes {@code QUEUED}
     * with {@code acceptedAt}/{@code queuedAt} = {@code now} and the <em>enqueue claim</em> ({@code enqueueToken} until
     * {@code now + lease}), meaning "this delivery is sending the queue message". A worker that claimed the call
     * first (from the message) has made it {@code ATTACHED}, so this write's condition fails and overwrites nothing;
     * nothing is written after the send. Allowed from:
     * <ul>
     *   <li>{@code RECEIVED} holding the accept claim {@code acceptToken} (the accept just succeeded; the accept
     *       claim is dropped in the same write);</li>
     *   <li>with {@code acceptToken} null: {@code ACCEPTED} with no live enqueue claim (an earlier send failed), or
     *       {@code QUEUED} whose enqueue claim lapsed before {@code now} and that no worker took (the sender may
     *       have died before sending; sending again is safe, as a worker's claim is conditional).</li>
     * </ul>
     */
    public boolean startEnqueue(String callId, String acceptToken, String enqueueToken, Instant now, Duration lease) {
        return startEnqueue(callId, acceptToken, enqueueToken, now, lease, null);
    }

    /**
     * As {@link #startEnqueue(String, String, String, Instant, Duration)}; right after our accept ({@code acceptToken}
     * given) it also stores {@code toolCatalog}, the fingerprint of the tools the call was accepted with (null: none).
     */
    public boolean startEnqueue(String callId, String acceptToken, String enqueueToken, Instant now, Duration lease,
                                String toolCatalog) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":queued", s(CallStatus.QUEUED.name()),
                ":now", time(now), ":token", s(enqueueToken), ":until", time(now.plus(lease)), ":one", n(1)));
        String set = "SET #status = :queued, queuedAt = :now, enqueueClaim = :token, enqueueClaimUntil = :until, "
                + "version = version + :one";
        if (acceptToken != null) {
            values.put(":received", s(CallStatus.RECEIVED.name()));
            values.put(":acceptToken", s(acceptToken));
            if (toolCatalog != null) {
                set += ", toolCatalog = :tools";
                values.put(":tools", s(toolCatalog));
            }
            return update(callId, set + ", acceptedAt = :now REMOVE acceptClaim, acceptClaimUntil",
                    "#status = :received AND acceptClaim = :acceptToken", Map.of("#status", "status"), values);
        }
        values.put(":accepted", s(CallStatus.ACCEPTED.name()));
        return update(callId, set,
                "(#status = :accepted AND (attribute_not_exists(enqueueClaimUntil) OR enqueueClaimUntil < :now))"
                        + " OR (#status = :queued AND enqueueClaimUntil < :now)",
                Map.of("#status", "status"), values);
    }

    /**
     * After a failed send: back from {@code QUEUED} to {@code ACCEPTED} without the claim, so the next delivery sends
     * at once and never accepts again. False if the claim is no longer {@code enqueueToken}'s.
     */
    public boolean undoEnqueue(String callId, String enqueueToken) {
        return update(callId,
                "SET #status = :accepted, version = version + :one REMOVE queuedAt, enqueueClaim, enqueueClaimUntil",
                "#status = :queued AND enqueueClaim = :token",
                Map.of("#status", "status"),
                Map.of(":accepted", s(CallStatus.ACCEPTED.name()), ":queued", s(CallStatus.QUEUED.name()),
                        ":token", s(enqueueToken), ":one", n(1)));
    }

    /** The two intake steps, each guarded by its own claim. */
    public enum Step {
        ACCEPT(CallStatus.RECEIVED, CallStatus.ACCEPTED, "acceptClaim", "acceptedAt"),
        ENQUEUE(CallStatus.ACCEPTED, CallStatus.QUEUED, "enqueueClaim", "queuedAt");

        final CallStatus from;
        final CallStatus to;
        final String claimAttribute;
        final String timestampAttribute;

        Step(CallStatus from, CallStatus to, String claimAttribute, String timestampAttribute) {
            this.from = from;
            this.to = to;
            this.claimAttribute = claimAttribute;
            this.timestampAttribute = timestampAttribute;
        }
    }

    /**
     * Ends intake without a live call, from {@code RECEIVED} only: {@code GONE} (OpenAI said 404: the caller hung up)
     * with end reason {@code caller_gone}, or {@code FAILED} (accept refused) with end reason {@code accept_refused}
     * and OpenAI's message as {@code failureReason}.
     */
    public boolean markIntakeFailed(String callId, CallStatus status, String detail, String token, Instant now) {
        if (status != CallStatus.GONE && status != CallStatus.FAILED) {
            throw new IllegalArgumentException("intake can only end as GONE or FAILED");
        }
        String endReason = status == CallStatus.GONE ? "caller_gone" : "accept_refused";
        return update(callId,
                "SET #status = :to, endedAt = :now, endReason = :reason, failureReason = :detail, "
                        + "version = version + :one REMOVE gsi1pk, gsi1sk, acceptClaim, acceptClaimUntil",
                "#status = :from AND acceptClaim = :token",
                Map.of("#status", "status"),
                Map.of(":to", s(status.name()), ":from", s(CallStatus.RECEIVED.name()), ":now", time(now),
                        ":reason", s(endReason), ":detail", s(truncate(detail, 500)), ":token", s(token),
                        ":one", n(1)));
    }

    /**
     * Marks a call still in intake as the outbound call of {@code launchId}: {@code direction = outbound}, the launch id
     * and its opening (null: none). Idempotent for the same launch; false when the call is gone or already bound to
     * another launch.
     */
    public boolean markOutbound(String callId, String launchId, String opening) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":out", s(CallRecord.OUTBOUND), ":launch", s(launchId)));
        String set = "SET direction = :out, launchId = :launch";
        if (opening != null) {
            set += ", opening = :opening";
            values.put(":opening", s(opening));
        }
        return update(callId, set, "attribute_exists(pk) AND (attribute_not_exists(launchId) OR launchId = :launch)",
                Map.of(), values);
    }

    // ---------------------------------------------------------------- ownership

    /**
     * Makes {@code owner} the call's owner, if the call is waiting for one (received, accepted or queued, orphaned).
     * Received counts because the webhook sends the queue message beside the write that marks the call queued, once
     * OpenAI accepted it: the message proves the accept (the webhook sends one only then, and nothing enqueues a
     * {@code RECEIVED} call otherwise), and a fast worker must not drop the call in between. Claiming a
     * {@code RECEIVED} call drops its accept claim and records {@code acceptedAt} (the claim's time) unless set; the
     * webhook's mark then fails its condition and writes nothing. A call attached to any worker, this one included,
     * is never taken here: a duplicate queue message must not make a worker attach a call it already holds, and
     * another worker's call is freed only by its heartbeat going stale ({@link #takeOver}, {@link #orphanOwnedBy}).
     * An orphan whose end a sweep has claimed ({@link #claimOrphanEnd}) is not taken either. Returns the updated
     * call, or empty when someone owns it or it has ended.
     */
    public Optional<CallRecord> claimOwnership(String callId, String owner, Instant now) {
        return claimOwnership(callId, owner, now, null);
    }

    /**
     * As {@link #claimOwnership(String, String, Instant)}, also recording the call's control queue URL in the same
     * write when the call has none yet ({@code null}: none recorded), so attaching a call is one write, not two.
     */
    public Optional<CallRecord> claimOwnership(String callId, String owner, Instant now, String controlQueueUrl) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":attached", s(CallStatus.ATTACHED.name()),
                ":received", s(CallStatus.RECEIVED.name()), ":accepted", s(CallStatus.ACCEPTED.name()),
                ":queued", s(CallStatus.QUEUED.name()), ":orphaned", s(CallStatus.ORPHANED.name()),
                ":owner", s(owner), ":now", time(now), ":one", n(1)));
        String recordQueue = "";
        if (controlQueueUrl != null) {
            values.put(":url", s(controlQueueUrl));
            recordQueue = ", controlQueueUrl = if_not_exists(controlQueueUrl, :url)";
        }
        try {
            var response = dynamo.updateItem(UpdateItemRequest.builder()
                    .tableName(table)
                    .key(key(callId, META))
                    .updateExpression("SET #status = :attached, #owner = :owner, "
                            + "attachedAt = if_not_exists(attachedAt, :now), acceptedAt = if_not_exists(acceptedAt, :now), "
                            + "version = version + :one" + recordQueue
                            + " REMOVE leaseUntil, acceptClaim, acceptClaimUntil")
                    .conditionExpression("#status IN (:received, :accepted, :queued, :orphaned) AND " + NO_END_CLAIM)
                    .expressionAttributeNames(Map.of("#status", "status", "#owner", "owner"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .build());
            return Optional.of(toRecord(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /**
     * Moves a call still {@code ATTACHED} to {@code from} (a worker whose heartbeat went stale, or this worker after a
     * restart under the same id) straight to {@code to}, without passing through the queue. Conditional on status and
     * owner, so of several workers exactly one wins, and a call that moved on meanwhile is left alone. Returns the
     * updated call, or empty when the write lost.
     */
    public Optional<CallRecord> takeOver(String callId, String from, String to, Instant now) {
        try {
            var response = dynamo.updateItem(UpdateItemRequest.builder()
                    .tableName(table)
                    .key(key(callId, META))
                    .updateExpression("SET #owner = :to, takenOverAt = :now, version = version + :one REMOVE leaseUntil")
                    .conditionExpression("#status = :attached AND #owner = :from")
                    .expressionAttributeNames(Map.of("#status", "status", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(":attached", s(CallStatus.ATTACHED.name()), ":from", s(from),
                            ":to", s(to), ":now", time(now), ":one", n(1)))
                    .returnValues(ReturnValue.ALL_NEW)
                    .build());
            return Optional.of(toRecord(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /** Hands a live call back for another worker (shutdown): {@code ORPHANED}, owner removed. */
    public boolean releaseOwnership(String callId, String owner) {
        return releaseOwnership(callId, owner, false, Instant.now());
    }

    /**
     * As {@link #releaseOwnership(String, String)}, at {@code now}. With {@code neverGreeted} (the greeting has not
     * gone out) the attach time is removed too, so the next owner's claim counts as the call's first attach (workers
     * that predate the stored greeting decide by that); otherwise the call is stored as greeted ({@code greeting =
     * sent}) in the same write, so the next owner never greets it, whether or not {@link #markGreeted} landed first.
     * {@code orphanedAt} starts the orphan's deadline ({@link #claimOrphanEnd}).
     */
    public boolean releaseOwnership(String callId, String owner, boolean neverGreeted, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":orphaned", s(CallStatus.ORPHANED.name()),
                ":attached", s(CallStatus.ATTACHED.name()), ":owner", s(owner), ":one", n(1), ":now", time(now)));
        if (!neverGreeted) {
            values.put(":sent", s(GreetingState.SENT.wireName()));
        }
        return update(callId, "SET #status = :orphaned, " + ORPHANED_AT + " = :now, version = version + :one"
                        + (neverGreeted ? "" : ", " + GREETING + " = :sent")
                        + " REMOVE #owner, leaseUntil" + (neverGreeted ? ", attachedAt" : ""),
                "#status = :attached AND #owner = :owner",
                Map.of("#status", "status", "#owner", "owner"), values);
    }

    /**
     * Records that the call's greeting has gone out (OpenAI started a response on it): from now on no attach, by any
     * worker, greets it. Conditional on {@code owner} still holding the call, like every per-call write of a worker.
     * False when it no longer does.
     */
    public boolean markGreeted(String callId, String owner, Instant now) {
        return update(callId, "SET " + GREETING + " = :sent, greetedAt = :now",
                "#status = :attached AND #owner = :owner",
                Map.of("#status", "status", "#owner", "owner"),
                Map.of(":sent", s(GreetingState.SENT.wireName()), ":attached", s(CallStatus.ATTACHED.name()),
                        ":owner", s(owner), ":now", time(now)));
    }

    /**
     * Orphans a call whose owner is gone (its heartbeat went stale, or it restarted without the call) and that no
     * worker could take directly: {@code ATTACHED} to {@code owner} becomes {@code ORPHANED}, owner removed,
     * {@code sweptAt} and {@code orphanedAt} set. Conditional, so of several workers exactly one wins, and a call that
     * moved on meanwhile is left alone. True when this write won (the caller then re-enqueues the call).
     */
    public boolean orphanOwnedBy(String callId, String owner, Instant now) {
        return update(callId,
                "SET #status = :orphaned, " + SWEPT_AT + " = :now, " + ORPHANED_AT + " = :now, "
                        + "version = version + :one REMOVE #owner, leaseUntil",
                "#status = :attached AND #owner = :owner",
                Map.of("#status", "status", "#owner", "owner"),
                Map.of(":orphaned", s(CallStatus.ORPHANED.name()), ":attached", s(CallStatus.ATTACHED.name()),
                        ":owner", s(owner), ":now", time(now), ":one", n(1)));
    }

    /**
     * The sweep's bookkeeping for a call still {@code ORPHANED}: the first sweep that sees it only stamps
     * {@code sweptAt}; a later sweep, once {@code sweptAt} is older than {@code resendAfter}, stamps it again and
     * gets {@code true}, meaning "re-enqueue it" (its hand-off message was lost or no worker took it). Conditional,
     * so among concurrent sweeps at most one re-enqueues per {@code resendAfter}.
     */
    public boolean sweepOrphaned(String callId, Instant now, Duration resendAfter) {
        return sweepWaiting(callId, CallStatus.ORPHANED, now, resendAfter);
    }

    /**
     * As {@link #sweepOrphaned}, for a call waiting in {@code status}: {@code ORPHANED} (the first sighting only
     * stamps, since its hand-off message may still be on its way; an orphan from before {@code orphanedAt} existed
     * gets it now), or {@code ACCEPTED}/{@code QUEUED} past its deadline, where the caller has already waited: the
     * first sighting counts too (its message went to the dead-letter queue or was lost).
     */
    public boolean sweepWaiting(String callId, CallStatus status, Instant now, Duration resendAfter) {
        try {
            var response = dynamo.updateItem(UpdateItemRequest.builder()
                    .tableName(table)
                    .key(key(callId, META))
                    .updateExpression("SET " + SWEPT_AT + " = :now"
                            + (status == CallStatus.ORPHANED ? ", " + ORPHANED_AT + " = if_not_exists(" + ORPHANED_AT
                                    + ", :now)" : ""))
                    .conditionExpression("#status = :orphaned AND (attribute_not_exists(" + SWEPT_AT + ") OR "
                            + SWEPT_AT + " < :cutoff)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":orphaned", s(status.name()), ":now", time(now),
                            ":cutoff", time(now.minus(resendAfter))))
                    .returnValues(ReturnValue.UPDATED_OLD)
                    .build());
            return status != CallStatus.ORPHANED
                    || response.hasAttributes() && response.attributes().containsKey(SWEPT_AT);
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Claims the end of a call {@code ORPHANED} for longer than {@code deadline} (nobody could take it): for
     * {@code hold}, no worker may claim it ({@link #claimOwnership}) while {@code by} hangs it up at OpenAI, and no
     * other sweep claims it too. True when this write won; then {@link #endOrphan} or {@link #releaseOrphanEnd}.
     */
    public boolean claimOrphanEnd(String callId, String by, Instant now, Duration deadline, Duration hold) {
        return update(callId, "SET " + END_CLAIM_BY + " = :by, " + END_CLAIM_UNTIL + " = :until",
                "#status = :orphaned AND " + ORPHANED_AT + " < :cutoff AND " + NO_END_CLAIM,
                Map.of("#status", "status"),
                Map.of(":orphaned", s(CallStatus.ORPHANED.name()), ":by", s(by), ":until", time(now.plus(hold)),
                        ":cutoff", time(now.minus(deadline)), ":now", time(now)));
    }

    /** Ends an orphan whose end {@code by} claimed and whose hang-up OpenAI accepted; false when the claim was lost. */
    public boolean endOrphan(String callId, String by, String reason, Instant now) {
        return end(callId, reason, now, "#status = :orphaned AND " + END_CLAIM_BY + " = :by",
                Map.of(":orphaned", s(CallStatus.ORPHANED.name()), ":by", s(by)));
    }

    /** Gives up an orphan's end claim (OpenAI refused the hang-up): workers may take it again, a later sweep retries. */
    public boolean releaseOrphanEnd(String callId, String by) {
        return update(callId, "REMOVE " + END_CLAIM_BY + ", " + END_CLAIM_UNTIL, END_CLAIM_BY + " = :by",
                Map.of(), Map.of(":by", s(by)));
    }

    /**
     * Records that the call's control queue is being made for a command (the control side, before it puts anything
     * there): {@code controlQueueMadeAt} (kept once set) and the queue's URL unless the call has one. Only on a call
     * that has not ended, so either the end's write sees this (and its owner cleans the queue up: pending commands
     * fail with {@code call_ended}, the queue is deleted) or this write finds the call ended. False then, or when the
     * call does not exist.
     */
    public boolean recordControlQueue(String callId, String url, Instant now) {
        return update(callId, "SET controlQueueUrl = if_not_exists(controlQueueUrl, :url), "
                        + CONTROL_QUEUE_MADE_AT + " = if_not_exists(" + CONTROL_QUEUE_MADE_AT + ", :now)",
                NOT_ENDED, Map.of("#status", "status"), notEnded(Map.of(":url", s(url), ":now", time(now))));
    }

    /** {@code values} with those {@link #NOT_ENDED} expects. */
    private static Map<String, AttributeValue> notEnded(Map<String, AttributeValue> values) {
        Map<String, AttributeValue> all = new HashMap<>(values);
        all.put(":ended", s(CallStatus.ENDED.name()));
        all.put(":gone", s(CallStatus.GONE.name()));
        all.put(":failed", s(CallStatus.FAILED.name()));
        return all;
    }

    /**
     * Ends a live call once: {@code ENDED} with time and reason, out of the live index, into the day's ended
     * partition. False when it had already ended.
     */
    public boolean markEnded(String callId, String reason, Instant now) {
        return endCall(callId, reason, now).isPresent();
    }

    /**
     * As {@link #markEnded}, returning the call as this write left it (so its owner learns, without a read, whether a
     * control queue was made for it); empty when it had already ended.
     */
    public Optional<CallRecord> endCall(String callId, String reason, Instant now) {
        try {
            var response = dynamo.updateItem(endRequest(callId, reason, now, NOT_ENDED, notEnded(Map.of()))
                    .returnValues(ReturnValue.ALL_NEW).build());
            return Optional.of(toRecord(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /**
     * As {@link #endCall}, for an end the owner observed rather than decided ({@code observed}: the caller hung up, as
     * far as it can tell). When the control side hung the call up less than {@link #CONTROL_HANGUP_FRESH} before
     * {@code now}, that hang-up is what ended it, so its reason is stored instead: the reason is still decided once, by
     * the write that ends the call, never changed afterwards. A mark older than that is a hang-up that did not take
     * (its request died on the way) and is ignored.
     */
    public Optional<CallRecord> endObserved(String callId, String observed, Instant now) {
        Map<String, AttributeValue> old;
        try {
            var response = dynamo.updateItem(endRequest(callId, observed, now, NOT_ENDED + " AND (attribute_not_exists("
                    + CONTROL_HANGUP_AT + ") OR " + CONTROL_HANGUP_AT + " < :freshSince)",
                    notEnded(Map.of(":freshSince", time(now.minus(CONTROL_HANGUP_FRESH)))))
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build());
            return Optional.of(toRecord(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            old = e.hasItem() ? e.item() : Map.of();
        }
        String status = string(old, "status");
        String command = string(old, CONTROL_HANGUP_COMMAND);
        String reason = string(old, CONTROL_HANGUP_REASON);
        if (status == null || CallStatus.valueOf(status).isTerminal() || command == null || reason == null) {
            return Optional.empty();
        }
        try {
            var response = dynamo.updateItem(endRequest(callId, reason, now, NOT_ENDED + " AND "
                    + CONTROL_HANGUP_COMMAND + " = :command", notEnded(Map.of(":command", s(command))))
                    .returnValues(ReturnValue.ALL_NEW).build());
            return Optional.of(toRecord(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty(); // ended meanwhile (a second writer won), or a newer hang-up: the next end write decides
        }
    }

    /**
     * The write, for a transaction with the command's own, that marks the call as hung up by the control side with
     * command {@code commandId} and {@code reason}: only while the call has not ended.
     */
    public Update controlHangupMark(String callId, String commandId, String reason, Instant now) {
        return Update.builder().tableName(table).key(key(callId, META)).updateExpression(CONTROL_HANGUP_SET)
                .conditionExpression(NOT_ENDED).expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(controlHangupValues(commandId, reason, now)).build();
    }

    /** {@link #controlHangupMark} on its own (a retried hang-up renews it); false once the call has ended. */
    public boolean markControlHangup(String callId, String commandId, String reason, Instant now) {
        return update(callId, CONTROL_HANGUP_SET, NOT_ENDED, Map.of("#status", "status"),
                controlHangupValues(commandId, reason, now));
    }

    private static final String CONTROL_HANGUP_SET = "SET " + CONTROL_HANGUP_COMMAND + " = :command, "
            + CONTROL_HANGUP_REASON + " = :reason, " + CONTROL_HANGUP_AT + " = :now";

    private static Map<String, AttributeValue> controlHangupValues(String commandId, String reason, Instant now) {
        return notEnded(Map.of(":command", s(commandId), ":reason", s(truncate(reason, 200)), ":now", time(now)));
    }

    /**
     * Takes back the mark of {@link #controlHangupMark} after OpenAI refused that hang-up or said the call was already
     * over: whatever ends the call next is not it. Only the mark of {@code commandId}; false when it is not there.
     */
    public boolean clearControlHangup(String callId, String commandId) {
        return update(callId, "REMOVE " + CONTROL_HANGUP_COMMAND + ", " + CONTROL_HANGUP_REASON + ", " + CONTROL_HANGUP_AT,
                CONTROL_HANGUP_COMMAND + " = :command", Map.of(), Map.of(":command", s(commandId)));
    }

    private boolean end(String callId, String reason, Instant now, String condition, Map<String, AttributeValue> values) {
        try {
            dynamo.updateItem(endRequest(callId, reason, now, condition, values).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private UpdateItemRequest.Builder endRequest(String callId, String reason, Instant now, String condition,
                                                 Map<String, AttributeValue> values) {
        String day = now.atZone(ZoneOffset.UTC).toLocalDate().toString();
        Map<String, AttributeValue> all = new HashMap<>(values);
        all.putAll(Map.of(":ended", s(CallStatus.ENDED.name()), ":now", time(now), ":reason", s(truncate(reason, 200)),
                ":endedKey", s(CallTable.ENDED_PREFIX + day), ":sort", s(sortKey(now, callId)), ":one", n(1)));
        return UpdateItemRequest.builder().tableName(table).key(key(callId, META))
                .updateExpression("SET #status = :ended, endedAt = :now, endReason = :reason, gsi1pk = :endedKey, "
                        + "gsi1sk = :sort, version = version + :one REMOVE leaseUntil")
                .conditionExpression(condition)
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(all);
    }

    // ---------------------------------------------------------------- transcript and events

    /**
     * Appends a turn with the next sequence number. Idempotent per {@code (speaker, itemId)}: a repeated event
     * returns empty and writes nothing.
     */
    public Optional<Long> appendTurn(String callId, Turn.Speaker speaker, String text, String itemId, Instant ts) {
        Appended appended = append(callId, UNKNOWN_SEQ, List.of(new Entry.TurnEntry(speaker, text, itemId, ts)));
        return appended.alreadyStored().isEmpty() ? Optional.of(appended.nextSeq() - 1) : Optional.empty();
    }

    /** {@link #append}'s {@code expectedNextSeq} when the caller does not know the call's next sequence number. */
    public static final long UNKNOWN_SEQ = -1;
    /** The most entries one {@link #append} takes (and how far back a re-read looks for a repeated utterance). */
    public static final int MAX_APPEND = 32;
    /** The writes of one {@link #store} round beyond the first, issued side by side. */
    private static final ExecutorService PARALLEL_WRITES = Executors.newVirtualThreadPerTaskExecutor();

    /** A transcript entry for {@link #append}: a turn (numbered when written) or an event (under a fixed id). */
    public sealed interface Entry {
        Instant at();

        record TurnEntry(Turn.Speaker speaker, String text, String itemId, Instant at) implements Entry {
        }

        /** @param id from {@link #newEventId}, fixed when the event was made, so a retried write stores it once */
        record EventEntry(String id, String kind, JsonNode details, Instant at) implements Entry {
        }
    }

    /**
     * What {@link #append} did: the call's next sequence number after it, and the positions of entries that were
     * stored before (a turn with the same speaker and item id, an event with the same id) and so written nothing.
     */
    public record Appended(long nextSeq, List<Integer> alreadyStored) {
    }

    /** {@link #store}, then the call's turn count ({@link #recordTurnCount}) in a second request. */
    public Appended append(String callId, long expectedNextSeq, List<? extends Entry> entries) {
        Appended appended = store(callId, expectedNextSeq, entries);
        if (appended.nextSeq() > 0) {
            recordTurnCount(callId, appended.nextSeq());
        }
        return appended;
    }

    /**
     * Stores turns and events in order, as conditional {@code PutItem}s issued side by side: a batch is durable after
     * one round trip, with no transaction. Turns take consecutive sequence numbers from {@code expectedNextSeq} (the
     * caller's last {@link Appended#nextSeq}, or the call's {@link CallRecord#nextSeq()} when it was claimed, which
     * is never past the call's highest stored turn; {@link #UNKNOWN_SEQ} reads the call's last turns first). A turn row is
     * written only where none exists, so a wrong guess never overwrites: the row found there is either this turn,
     * stored by an earlier attempt whose answer was lost (same speaker and item id; without an item id, same text and
     * time), or another's, and then the last turns are read and what is left is numbered after them. Beside each
     * row, a marker keyed by speaker and item id records its number, so an utterance stored before under another
     * number is found however far back (its new row is taken back; within a batch that leaves its number unused).
     * Events are stored once by id. The call item's turn count is not written here ({@link #recordTurnCount}).
     *
     * @throws RuntimeException when a write failed for another reason; what did land is found stored when the caller
     *                          retries with the same {@code expectedNextSeq}
     */
    public Appended store(String callId, long expectedNextSeq, List<? extends Entry> entries) {
        if (entries.size() > MAX_APPEND) {
            throw new IllegalArgumentException("at most " + MAX_APPEND + " entries per append");
        }
        Set<Integer> skipped = new TreeSet<>();
        Set<String> keys = new HashSet<>(); // a repeat within the batch is stored by its first occurrence
        for (int i = 0; i < entries.size(); i++) {
            String once = switch (entries.get(i)) {
                case Entry.TurnEntry t -> t.itemId() == null ? null : t.speaker().wireName() + "#" + t.itemId();
                case Entry.EventEntry e -> eventKey(e.id());
            };
            if (once != null && !keys.add(once)) {
                skipped.add(i);
            }
        }
        Set<Integer> stored = new HashSet<>();
        long seq = expectedNextSeq;
        // one more round per turn that may find its number taken by another writer
        for (int round = 0; round < 8 + entries.size(); round++) {
            List<Integer> todo = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                if (!skipped.contains(i) && !stored.contains(i)) {
                    todo.add(i);
                }
            }
            boolean hasTurn = todo.stream().anyMatch(i -> entries.get(i) instanceof Entry.TurnEntry);
            if (seq < 0 && hasTurn) {
                List<Turn> tail = lastTurns(callId, MAX_APPEND);
                seq = tail.isEmpty() ? 0 : tail.getFirst().seq() + 1;
                todo.removeIf(i -> entries.get(i) instanceof Entry.TurnEntry t
                        && tail.stream().anyMatch(last -> sameTurn(last, t)) && skipped.add(i));
            }
            List<Callable<Written>> writes = new ArrayList<>(todo.size());
            List<Long> numbers = new ArrayList<>(todo.size());
            long next = seq;
            for (int i : todo) {
                switch (entries.get(i)) {
                    case Entry.TurnEntry t -> {
                        long number = next++;
                        numbers.add(number);
                        writes.add(() -> writeTurn(callId, number, t));
                    }
                    case Entry.EventEntry e -> {
                        numbers.add(UNKNOWN_SEQ);
                        writes.add(() -> writeEvent(callId, e));
                    }
                }
            }
            List<Written> results = runSideBySide(writes);
            boolean taken = false;
            long end = seq; // after the last number that now holds one of these turns
            for (int w = 0; w < results.size(); w++) {
                switch (results.get(w)) {
                    case STORED -> stored.add(todo.get(w));
                    case ALREADY_STORED -> skipped.add(todo.get(w));
                    case STORED_ELSEWHERE -> skipped.add(todo.get(w));
                    case NUMBER_TAKEN -> taken = true;
                }
                if (results.get(w) == Written.STORED || results.get(w) == Written.ALREADY_STORED) {
                    end = Math.max(end, numbers.get(w) + 1);
                }
            }
            if (!taken) {
                return new Appended(end, List.copyOf(skipped));
            }
            seq = UNKNOWN_SEQ; // another writer numbered turns meanwhile: read where the call's turns end
        }
        throw new IllegalStateException("could not allocate a turn sequence number");
    }

    /** What one write of {@link #store} found. */
    private enum Written {
        STORED,
        /** This turn (by speaker and item id) is stored under its number already, or this event (by id) is stored. */
        ALREADY_STORED,
        /** This turn is stored under another number; the row just written under its number was taken back. */
        STORED_ELSEWHERE,
        /** Another turn holds the number. */
        NUMBER_TAKEN
    }

    /** Runs the writes side by side (the first on this thread); any failure is thrown once all have finished. */
    private static List<Written> runSideBySide(List<Callable<Written>> writes) {
        List<Future<Written>> others = new ArrayList<>(writes.size());
        for (int w = 1; w < writes.size(); w++) {
            others.add(PARALLEL_WRITES.submit(writes.get(w)));
        }
        List<Written> results = new ArrayList<>(writes.size());
        RuntimeException failure = null;
        if (!writes.isEmpty()) {
            try {
                results.add(writes.getFirst().call());
            } catch (RuntimeException e) {
                failure = e;
            } catch (Exception e) {
                failure = new IllegalStateException(e);
            }
        }
        for (Future<Written> other : others) {
            try {
                results.add(other.get());
            } catch (ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while storing transcript entries", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /**
     * Writes the turn's row under {@code seq} and, beside it, its item-id marker (which turn number holds that
     * utterance), each only where none exists. The marker makes a repeat found however far back it was stored.
     */
    private Written writeTurn(String callId, long seq, Entry.TurnEntry turn) {
        if (turn.itemId() == null) {
            return writeTurnRow(callId, seq, turn);
        }
        Future<Long> marker = PARALLEL_WRITES.submit(() -> writeMarker(callId, seq, turn));
        Written row = writeTurnRow(callId, seq, turn);
        long markedSeq;
        try {
            markedSeq = marker.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing a turn", e);
        }
        if (row != Written.STORED || markedSeq == seq) {
            return row; // taken: the next round writes the marker again under the turn's new number
        }
        // the marker names another number: this utterance is stored there, or the marker is this turn's own from a
        // round whose number was taken
        Map<String, AttributeValue> there = dynamo.getItem(GetItemRequest.builder().tableName(table)
                .key(key(callId, turnKey(markedSeq))).consistentRead(true).build()).item();
        if (there != null && !there.isEmpty() && sameTurn(toTurn(there), turn)) {
            dynamo.deleteItem(DeleteItemRequest.builder().tableName(table).key(key(callId, turnKey(seq)))
                    .conditionExpression("itemId = :item").expressionAttributeValues(Map.of(":item", s(turn.itemId())))
                    .build());
            return Written.STORED_ELSEWHERE;
        }
        dynamo.putItem(PutItemRequest.builder().tableName(table).item(markerItem(callId, seq, turn)).build());
        return Written.STORED;
    }

    private Written writeTurnRow(String callId, long seq, Entry.TurnEntry turn) {
        return putIfAbsent(turnItem(callId, seq, turn))
                .map(there -> !there.isEmpty() && sameTurn(toTurn(there), turn) ? Written.ALREADY_STORED : Written.NUMBER_TAKEN)
                .orElse(Written.STORED);
    }

    /** Puts the item unless one with its key exists; empty when it was written, else the item found (empty: gone). */
    private Optional<Map<String, AttributeValue>> putIfAbsent(Map<String, AttributeValue> item) {
        try {
            dynamo.putItem(PutItemRequest.builder().tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk)")
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build());
            return Optional.empty();
        } catch (ConditionalCheckFailedException e) {
            if (e.hasItem() && !e.item().isEmpty()) {
                return Optional.of(e.item());
            }
            Map<String, AttributeValue> there = dynamo.getItem(GetItemRequest.builder().tableName(table)
                    .key(Map.of(PK, item.get(PK), SK, item.get(SK))).consistentRead(true).build()).item();
            return Optional.of(there == null ? Map.of() : there);
        }
    }

    /** Writes the turn's item-id marker unless one exists; returns the turn number the stored marker names. */
    private long writeMarker(String callId, long seq, Entry.TurnEntry turn) {
        return putIfAbsent(markerItem(callId, seq, turn)).map(there -> number(there, "seq", seq)).orElse(seq);
    }

    private static Map<String, AttributeValue> markerItem(String callId, long seq, Entry.TurnEntry turn) {
        return Map.of(PK, s(callKey(callId)), SK, s(turnItemKey(turn.speaker(), turn.itemId())), "seq", n(seq),
                CallTable.TTL_ATTRIBUTE, n(expiry(turn.at())));
    }

    private static String turnItemKey(Turn.Speaker speaker, String itemId) {
        return "TURNITEM#" + speaker.wireName() + "#" + itemId;
    }

    private Written writeEvent(String callId, Entry.EventEntry event) {
        return putIfAbsent(eventItem(callId, event)).isEmpty() ? Written.STORED : Written.ALREADY_STORED;
    }

    /** The stored turn is this entry: same speaker and item id, or (no item id) same speaker, text and time. */
    private static boolean sameTurn(Turn stored, Entry.TurnEntry turn) {
        if (stored.speaker() != turn.speaker()) {
            return false;
        }
        return turn.itemId() != null ? turn.itemId().equals(stored.itemId())
                : stored.itemId() == null && turn.text().equals(stored.text()) && turn.at().equals(stored.ts());
    }

    /** The call's last {@code limit} turns, newest first. */
    private List<Turn> lastTurns(String callId, int limit) {
        return dynamo.query(QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                .expressionAttributeValues(Map.of(":pk", s(callKey(callId)), ":from", s(turnKey(0)), ":to", s("TURN#~")))
                .scanIndexForward(false)
                .limit(limit)
                .consistentRead(true)
                .build()).items().stream().map(CallStore::toTurn).toList();
    }

    /**
     * Runs the transcript's request paths once with nothing written, under a call id no call has: the call read, the
     * last-turns query, a turn row's conditional put (side by side, as {@link #store} issues it) and the turn count's
     * conditional update, whose conditions fail because the call does not exist. A fresh worker's first call then
     * does not pay for the client's first use (connections, signing, marshalling, the classes behind them) while its
     * first lines wait to be stored. Throws what a request threw; the caller decides whether that matters.
     */
    public void warmUp(String probeId) {
        String callId = "warmup-" + probeId;
        get(callId);
        lastTurns(callId, 1);
        Entry.TurnEntry probe = new Entry.TurnEntry(Turn.Speaker.AGENT, "warm-up", null, Instant.now());
        Future<Boolean> put = PARALLEL_WRITES.submit(() -> {
            try {
                dynamo.putItem(PutItemRequest.builder().tableName(table).item(turnItem(callId, 0, probe))
                        .conditionExpression("attribute_exists(pk)") // never true here: nothing is written
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                        .build());
                return true;
            } catch (ConditionalCheckFailedException e) {
                return false;
            }
        });
        recordTurnCount(callId, 1);
        try {
            if (put.get()) {
                throw new IllegalStateException("the warm-up put found a call under " + callId);
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while warming up the call store", e);
        }
    }

    /**
     * Raises the call item's turn count ({@code nextSeq}, shown as the call's turn count and read by the next owner
     * as its first guess) to {@code nextSeq}, never lowering it, so these writes may land in any order. A count left
     * behind (a crash before it landed) costs the next writer one re-read, never a wrong number. False when it was
     * already as high, or the call does not exist.
     */
    public boolean recordTurnCount(String callId, long nextSeq) {
        return update(callId, "SET nextSeq = :next", "attribute_exists(pk) AND nextSeq < :next", Map.of(),
                Map.of(":next", n(nextSeq)));
    }

    private static Map<String, AttributeValue> turnItem(String callId, long seq, Entry.TurnEntry t) {
        Map<String, AttributeValue> turn = new HashMap<>();
        turn.put(PK, s(callKey(callId)));
        turn.put(SK, s(turnKey(seq)));
        turn.put("seq", n(seq));
        turn.put("speaker", s(t.speaker().wireName()));
        turn.put("text", s(t.text()));
        turn.put("ts", time(t.at()));
        turn.put(CallTable.TTL_ATTRIBUTE, n(expiry(t.at())));
        if (t.itemId() != null) {
            turn.put("itemId", s(t.itemId()));
        }
        return turn;
    }

    private static Map<String, AttributeValue> eventItem(String callId, Entry.EventEntry e) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(callKey(callId)));
        item.put(SK, s(eventKey(e.id())));
        item.put("kind", s(e.kind()));
        item.put("details", s(Json.write(e.details())));
        item.put("ts", time(e.at()));
        item.put(CallTable.TTL_ATTRIBUTE, n(expiry(e.at())));
        return item;
    }

    private static long expiry(Instant ts) {
        return ts.plus(RETENTION).getEpochSecond();
    }

    /** Records a non-turn event. */
    public CallEvent appendEvent(String callId, String kind, JsonNode details, Instant ts) {
        return appendEvent(callId, newEventId(ts), kind, details, ts);
    }

    /** A fresh event id for {@link #appendEvent(String, String, String, JsonNode, Instant)}: time-ordered, random. */
    public static String newEventId(Instant ts) {
        return String.format("%013d#%06x", ts.toEpochMilli(), ThreadLocalRandom.current().nextInt(1 << 24));
    }

    /**
     * Records a non-turn event under an id chosen by the caller ({@link #newEventId}), once: a retry of a write whose
     * answer was lost finds the event stored and writes nothing.
     */
    public CallEvent appendEvent(String callId, String id, String kind, JsonNode details, Instant ts) {
        append(callId, UNKNOWN_SEQ, List.of(new Entry.EventEntry(id, kind, details, ts)));
        return new CallEvent(id, kind, details, ts);
    }

    /** Turns in order, starting after {@code afterSeq} (use -1 for the first page). */
    public Page<Turn> turns(String callId, long afterSeq, int limit) {
        QueryResponse response = dynamo.query(QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                .expressionAttributeValues(Map.of(":pk", s(callKey(callId)),
                        ":from", s(turnKey(afterSeq + 1)), ":to", s("TURN#~")))
                .limit(limit)
                .consistentRead(true)
                .build());
        List<Turn> turns = response.items().stream().map(CallStore::toTurn).toList();
        boolean more = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty();
        return new Page<>(turns, more && !turns.isEmpty()
                ? Optional.of(Map.of("afterSeq", Long.toString(turns.getLast().seq()))) : Optional.empty());
    }

    /** Every turn of the call, in order, read page by page. */
    public List<Turn> allTurns(String callId) {
        List<Turn> out = new ArrayList<>();
        long after = -1;
        while (true) {
            Page<Turn> page = turns(callId, after, 500);
            out.addAll(page.items());
            if (page.nextKey().isEmpty()) {
                return out;
            }
            after = Long.parseLong(page.nextKey().get().get("afterSeq"));
        }
    }

    /** Every event of the call, in order, read page by page. */
    public List<CallEvent> allEvents(String callId) {
        List<CallEvent> out = new ArrayList<>();
        String after = null;
        while (true) {
            Page<CallEvent> page = events(callId, after, 500);
            out.addAll(page.items());
            if (page.nextKey().isEmpty()) {
                return out;
            }
            after = page.nextKey().get().get("afterId");
        }
    }

    /** Events in time order. */
    public Page<CallEvent> events(String callId, String afterId, int limit) {
        QueryResponse response = dynamo.query(QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                .expressionAttributeValues(Map.of(":pk", s(callKey(callId)),
                        ":from", s(afterId == null ? eventKey("") : eventKey(afterId + "~")), ":to", s(eventKey("~"))))
                .limit(limit)
                .consistentRead(true)
                .build());
        List<CallEvent> events = response.items().stream().map(CallStore::toEvent).toList();
        boolean more = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty();
        return new Page<>(events, more && !events.isEmpty()
                ? Optional.of(Map.of("afterId", events.getLast().id())) : Optional.empty());
    }

    /** Calls in one index partition ({@link CallTable#LIVE} or an ended day), newest first. */
    public Page<CallRecord> callsIn(String partition, Map<String, String> startKey, int limit) {
        var request = QueryRequest.builder()
                .tableName(table)
                .indexName(GSI1)
                .keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", s(partition)))
                .scanIndexForward(false)
                .limit(limit);
        if (startKey != null && !startKey.isEmpty()) {
            Map<String, AttributeValue> exclusive = new HashMap<>();
            startKey.forEach((k, v) -> exclusive.put(k, s(v)));
            request.exclusiveStartKey(exclusive);
        }
        QueryResponse response = dynamo.query(request.build());
        List<CallRecord> calls = response.items().stream().map(CallStore::toRecord).toList();
        Optional<Map<String, String>> next = Optional.empty();
        if (response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()) {
            Map<String, String> last = new HashMap<>();
            response.lastEvaluatedKey().forEach((k, v) -> last.put(k, v.s()));
            next = Optional.of(last);
        }
        return new Page<>(calls, next);
    }

    // ---------------------------------------------------------------- mapping

    private boolean update(String callId, String updateExpression, String condition, Map<String, String> names,
                           Map<String, AttributeValue> values) {
        try {
            var request = UpdateItemRequest.builder()
                    .tableName(table)
                    .key(key(callId, META))
                    .updateExpression(updateExpression)
                    .conditionExpression(condition)
                    .expressionAttributeValues(values);
            if (!names.isEmpty()) {
                request.expressionAttributeNames(names);
            }
            dynamo.updateItem(request.build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    public static Map<String, AttributeValue> key(String callId, String sk) {
        return Map.of(PK, s(callKey(callId)), SK, s(sk));
    }

    static String turnKey(long seq) {
        return String.format("TURN#%08d", seq);
    }

    static String eventKey(String id) {
        return "EVENT#" + id;
    }

    private static String sortKey(Instant at, String callId) {
        return String.format("%013d#%s", at.toEpochMilli(), callId);
    }

    private static String truncate(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max);
    }

    static CallRecord toRecord(Map<String, AttributeValue> item) {
        List<SipHeader> headers = List.of();
        String rawHeaders = string(item, "sipHeaders");
        if (rawHeaders != null) {
            try {
                headers = List.of(Json.mapper().readValue(rawHeaders, SipHeader[].class));
            } catch (Exception e) {
                headers = List.of();
            }
        }
        return toRecord(item, headers);
    }

    private static CallRecord toRecord(Map<String, AttributeValue> item, List<SipHeader> headers) {
        return new CallRecord(
                string(item, "callId"),
                CallStatus.valueOf(string(item, "status")),
                string(item, "webhookId"),
                string(item, "from"),
                string(item, "to"),
                headers,
                string(item, "conferenceName"),
                string(item, "callToken"),
                instant(item, "createdAt"),
                instant(item, "acceptedAt"),
                instant(item, "attachedAt"),
                instant(item, "endedAt"),
                string(item, "endReason"),
                string(item, "failureReason"),
                string(item, "owner"),
                instant(item, "leaseUntil"),
                string(item, "controlQueueUrl"),
                number(item, "nextSeq", 0),
                number(item, "version", 0),
                string(item, "direction"),
                string(item, "launchId"),
                string(item, "opening"),
                string(item, "toolCatalog"),
                string(item, "traceId"),
                CallSummary.fromStored(string(item, CallSummaryStore.STATUS), string(item, CallSummaryStore.SUMMARY)),
                GreetingState.fromWire(string(item, GREETING)),
                instant(item, CONTROL_QUEUE_MADE_AT));
    }

    private static Turn toTurn(Map<String, AttributeValue> item) {
        return new Turn(number(item, "seq", 0), Turn.Speaker.fromWire(string(item, "speaker")), string(item, "text"),
                string(item, "itemId"), instant(item, "ts"));
    }

    private static CallEvent toEvent(Map<String, AttributeValue> item) {
        JsonNode details;
        try {
            details = Json.parse(string(item, "details"));
        } catch (Exception e) {
            details = Json.object();
        }
        return new CallEvent(string(item, SK).substring(eventKey("").length()), string(item, "kind"), details,
                instant(item, "ts"));
    }
}
