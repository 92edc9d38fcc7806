package ai.phoneagent.call;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The call item ({@code CALL#id / META}) as stored. {@code direction} is {@code inbound} or {@code outbound}
 * (items written before outbound calls existed read as inbound); an outbound call carries its {@code launchId} and
 * {@code opening}: what the agent says first (null: the launch set none, empty: the model opens from its
 * instructions). {@code toolCatalog} is the fingerprint of the tools the model was offered at accept (null on calls
 * accepted before it was stored). {@code traceId} is the call's W3C trace id, given by the webhook that recorded it
 * (null on calls recorded before it was stored).
 * {@code summary} is the post-call summary once one was started (null before, and
 * on calls that ended without summaries enabled). {@code greeting} says whether the greeting has gone out
 * ({@link GreetingState}). {@code controlQueueMadeAt} is when the control side first made the call's control queue
 * for a command (null: no command was ever sent, so the queue does not exist: {@link #controlQueueMayExist}).
 */
public record CallRecord(
        String callId,
        CallStatus status,
        String webhookId,
        String from,
        String to,
        List<SipHeader> sipHeaders,
        String conferenceName,
        String callToken,
        Instant createdAt,
        Instant acceptedAt,
        Instant attachedAt,
        Instant endedAt,
        String endReason,
        String failureReason,
        String owner,
        Instant leaseUntil,
        String controlQueueUrl,
        long nextSeq,
        long version,
        String direction,
        String launchId,
        String opening,
        String toolCatalog,
        String traceId,
        CallSummary summary,
        GreetingState greeting,
        Instant controlQueueMadeAt) {
    public static final String INBOUND = "inbound";
    public static final String OUTBOUND = "outbound";

    public CallRecord {
        direction = direction == null ? INBOUND : direction;
        greeting = greeting == null ? GreetingState.UNRECORDED : greeting;
    }

    /** A record whose call never had a control queue made. */
    public CallRecord(String callId, CallStatus status, String webhookId, String from, String to,
                      List<SipHeader> sipHeaders, String conferenceName, String callToken, Instant createdAt,
                      Instant acceptedAt, Instant attachedAt, Instant endedAt, String endReason, String failureReason,
                      String owner, Instant leaseUntil, String controlQueueUrl, long nextSeq, long version,
                      String direction, String launchId, String opening, String toolCatalog, String traceId,
                      CallSummary summary, GreetingState greeting) {
        this(callId, status, webhookId, from, to, sipHeaders, conferenceName, callToken, createdAt, acceptedAt,
                attachedAt, endedAt, endReason, failureReason, owner, leaseUntil, controlQueueUrl, nextSeq, version,
                direction, launchId, opening, toolCatalog, traceId, summary, greeting, null);
    }

    /** A record without a trace id or a summary (calls recorded before either was stored). */
    public CallRecord(String callId, CallStatus status, String webhookId, String from, String to,
                      List<SipHeader> sipHeaders, String conferenceName, String callToken, Instant createdAt,
                      Instant acceptedAt, Instant attachedAt, Instant endedAt, String endReason, String failureReason,
                      String owner, Instant leaseUntil, String controlQueueUrl, long nextSeq, long version,
                      String direction, String launchId, String opening, String toolCatalog) {
        this(callId, status, webhookId, from, to, sipHeaders, conferenceName, callToken, createdAt, acceptedAt,
                attachedAt, endedAt, endReason, failureReason, owner, leaseUntil, controlQueueUrl, nextSeq, version,
                direction, launchId, opening, toolCatalog, null, null, GreetingState.UNRECORDED);
    }

    /**
     * Whether the call's control queue may exist: a command was sent on it (the control side records that before it
     * sends anything there). False: nothing was ever put on it, so nobody needs to read or delete it.
     */
    public boolean controlQueueMayExist() {
        return controlQueueMadeAt != null;
    }

    /** True for a call we placed (an outbound launch), false for one that called us. */
    public boolean outbound() {
        return OUTBOUND.equals(direction);
    }

    public Optional<String> conference() {
        return Optional.ofNullable(conferenceName);
    }

    public Optional<String> token() {
        return Optional.ofNullable(callToken);
    }

    @Override
    public String toString() {
        return "CallRecord[callId=" + callId + ", status=" + status + ", owner=" + owner + "]";
    }
}
