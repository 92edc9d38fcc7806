package ai.phoneagent.webhook;

import ai.phoneagent.agent.AgentProfile;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.concurrent.Beside;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.metrics.Dimension;
import ai.phoneagent.metrics.Measurement;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.metrics.MetricRecorder;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.CallsOutcome;
import ai.phoneagent.outbound.LaunchStore;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes an incoming call from webhook to queue: record it, accept it once, enqueue it once. A new call costs two
 * sequential AWS round trips: (1) one conditional put records the call holding the accept claim; then OpenAI's
 * accept; (2) side by side, one conditional update marks it accepted and queued holding the enqueue claim, and the
 * queue message goes out. The message proves the accept, so a worker may claim the call before the mark lands (it
 * claims a {@code RECEIVED} call too); the mark's condition (our accept claim on a {@code RECEIVED} call) then fails
 * and nothing is overwritten. Nothing is read back, and nothing is written after the message.
 * A delivery that finds the call already there resumes from its stored state under the same claims, so
 * concurrent or repeated deliveries never accept or enqueue twice, and one that died half-way leaves the call
 * where a later delivery can finish it once the dead one's claim lapses.
 */
public final class CallIntake {
    /** Covers the send that follows the enqueue claim (the SQS client's whole call timeout) with a margin. */
    static final Duration ENQUEUE_LEASE = Duration.ofSeconds(5);
    /**
     * The mark goes out beside the message only while our accept claim has at least this long left, so no other
     * delivery can take the claim over (and accept and send again) before the mark lands; else mark, then send.
     */
    static final Duration SIDE_BY_SIDE_MARGIN = Duration.ofSeconds(2);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final CallStore store;
    private final CallsClient calls;
    private final CallsQueue queue;
    private final LaunchMatcher launches;
    private final Clock clock;
    private final Duration acceptLease;
    private final Duration waitForOthers;
    /** Stored on the call at accept, so a worker with another tool catalogue can say so. */
    private final String toolCatalog;
    private final MetricRecorder metrics;

    public CallIntake(CallStore store, CallsClient calls, CallsQueue queue, AgentProfile profile, Clock clock,
                      Duration acceptDeadline) {
        this(store, calls, queue, profile, clock, acceptDeadline, MetricRecorder.none());
    }

    public CallIntake(CallStore store, CallsClient calls, CallsQueue queue, AgentProfile profile, Clock clock,
                      Duration acceptDeadline, MetricRecorder metrics) {
        this.metrics = metrics;
        this.store = store;
        this.calls = calls;
        this.queue = queue;
        this.launches = new LaunchMatcher(new LaunchStore(store.client(), store.tableName()), store, profile, clock);
        this.clock = clock;
        // A claim must outlive the accept it guards, or a slow accept could be repeated by a redelivery.
        this.acceptLease = acceptDeadline.multipliedBy(2).plusSeconds(2);
        this.waitForOthers = acceptDeadline.plusSeconds(1);
        this.toolCatalog = profile.toolCatalogFingerprint();
    }

    /** Runs intake for one delivery of a call. */
    public IntakeOutcome intake(IncomingCall incoming) {
        String token = newToken();
        long claimedAt = System.nanoTime();
        CallStore.Recorded recorded = store.recordIncoming(incoming, clock.instant(), token, acceptLease, toolCatalog);
        if (recorded.created()) {
            return acceptThenEnqueue(recorded.call(), token, claimedAt);
        }
        LogContext.identify(incoming.callId(), recorded.call().traceId()); // a redelivery joins the call's first trace
        return resume(recorded.call());
    }

    /** A delivery of a call that already exists: finish whatever an earlier delivery left, or report it done. */
    private IntakeOutcome resume(CallRecord call) {
        long waitUntil = System.nanoTime() + waitForOthers.toNanos();
        while (true) {
            switch (call.status()) {
                case RECEIVED -> {
                    String token = newToken();
                    long claimedAt = System.nanoTime();
                    if (store.claimStep(call.callId(), CallStore.Step.ACCEPT, token, clock.instant(), acceptLease)) {
                        return acceptThenEnqueue(call, token, claimedAt);
                    }
                }
                case ACCEPTED, QUEUED -> {
                    // ACCEPTED: an earlier send failed. QUEUED: sent, or its sender died; only a lapsed claim is taken.
                    String token = newToken();
                    Instant now = clock.instant();
                    if (store.startEnqueue(call.callId(), null, token, now, ENQUEUE_LEASE)) {
                        Instant acceptedAt = call.acceptedAt() == null ? now : call.acceptedAt();
                        return enqueue(call, acceptedAt, token, false);
                    }
                    if (call.status() == CallStatus.QUEUED) {
                        return IntakeOutcome.DUPLICATE; // the message is out, or its sender still holds the claim
                    }
                }
                case GONE, ATTACHED, ORPHANED, ENDED, FAILED -> {
                    return IntakeOutcome.DUPLICATE;
                }
            }
            if (!pause(waitUntil)) {
                return IntakeOutcome.IN_PROGRESS;
            }
            call = store.get(call.callId()).orElseThrow(() -> new IllegalStateException("call item vanished"));
        }
    }

    /**
     * Calls OpenAI's accept under the accept claim {@code token} (taken at {@code claimedAt}, {@link System#nanoTime}),
     * then enqueues; or ends intake with its outcome.
     */
    private IntakeOutcome acceptThenEnqueue(CallRecord call, String token, long claimedAt) {
        LaunchMatcher.Acceptance acceptance = launches.match(call);
        long acceptStarted = System.nanoTime();
        CallsOutcome outcome = calls.accept(call.callId(), acceptance.body());
        long acceptNanos = System.nanoTime() - acceptStarted;
        IntakeOutcome result = switch (outcome) {
            case CallsOutcome.Done done -> {
                String enqueueToken = newToken();
                Instant acceptedAt = Instant.ofEpochMilli(clock.millis());
                long claimLeft = acceptLease.toNanos() - (System.nanoTime() - claimedAt);
                if (claimLeft >= SIDE_BY_SIDE_MARGIN.toNanos()) {
                    yield markWhileSending(call, token, enqueueToken, acceptedAt, acceptance.outbound());
                }
                if (!store.startEnqueue(call.callId(), token, enqueueToken, acceptedAt, ENQUEUE_LEASE, toolCatalog)) {
                    // our accept claim lapsed during a slow accept and another delivery took over: it finishes
                    yield IntakeOutcome.IN_PROGRESS;
                }
                yield enqueue(call, acceptedAt, enqueueToken, acceptance.outbound());
            }
            case CallsOutcome.Gone gone -> {
                store.markIntakeFailed(call.callId(), CallStatus.GONE, "caller hung up before accept", token, clock.instant());
                yield IntakeOutcome.GONE;
            }
            case CallsOutcome.Refused refused -> {
                store.markIntakeFailed(call.callId(), CallStatus.FAILED,
                        "HTTP " + refused.status() + ": " + refused.message(), token, clock.instant());
                yield IntakeOutcome.FAILED;
            }
            case CallsOutcome.Unavailable unavailable -> {
                store.releaseStep(call.callId(), CallStore.Step.ACCEPT, token);
                yield IntakeOutcome.ACCEPT_UNAVAILABLE;
            }
        };
        // written after the enqueue: the caller's path is not made to wait for a log line
        recordAccept(call.callId(), acceptance.outbound(), outcome, acceptNanos);
        return result;
    }

    /**
     * Right after our accept: marks the call {@code QUEUED} under the enqueue claim {@code enqueueToken} (on another
     * thread) while the message is sent on this one, and answers once both are done:
     * <ul>
     *   <li>sent: {@code QUEUED}, whether the mark landed or failed its condition (while our accept claim is live only a
     *       worker's claim, which needs the message, can move the call on first);</li>
     *   <li>sent, the mark threw: the error (500), so OpenAI redelivers; a redelivery finds the call attached, or
     *       waits for it under our claim, or once the claim lapsed accepts and sends again (as after a crash here);</li>
     *   <li>not sent: the mark is undone (back to {@code ACCEPTED}, conditional on our enqueue claim, so harmless
     *       when the mark never landed) and the answer is {@code ENQUEUE_FAILED}, as after a sequential send.</li>
     * </ul>
     */
    private IntakeOutcome markWhileSending(CallRecord call, String acceptToken, String enqueueToken, Instant acceptedAt,
                                           boolean outbound) {
        CompletableFuture<Boolean> mark = Beside.start("intake-mark", () -> store.startEnqueue(call.callId(),
                acceptToken, enqueueToken, acceptedAt, ENQUEUE_LEASE, toolCatalog));
        RuntimeException sendFailure = null;
        try {
            queue.send(message(call, acceptedAt, outbound));
        } catch (RuntimeException e) {
            sendFailure = e;
        }
        boolean marked;
        try {
            marked = Beside.join(mark, "marking the call queued");
        } catch (RuntimeException markFailure) {
            if (sendFailure == null) {
                throw markFailure; // the message is out; see above
            }
            marked = true; // it may have landed with its answer lost: undo it to be sure
        }
        if (sendFailure != null) {
            return marked ? sendFailed(call, enqueueToken) : IntakeOutcome.IN_PROGRESS;
        }
        queued(call, outbound);
        return IntakeOutcome.QUEUED;
    }

    /**
     * Sends the queue message under the enqueue claim {@code token}; on failure the call goes back to ACCEPTED.
     * {@code outbound}: this delivery matched the call to a launch (the {@code call} in hand predates that mark).
     */
    private IntakeOutcome enqueue(CallRecord call, Instant acceptedAt, String token, boolean outbound) {
        try {
            queue.send(message(call, acceptedAt, outbound));
        } catch (RuntimeException e) {
            return sendFailed(call, token);
        }
        queued(call, outbound);
        return IntakeOutcome.QUEUED;
    }

    /** The calls-queue message; outbound as matched just now, or as stored by the delivery that matched it. */
    private static CallMessage message(CallRecord call, Instant acceptedAt, boolean outbound) {
        CallMessage.Reason reason = outbound || call.outbound() ? CallMessage.Reason.OUTBOUND : CallMessage.Reason.INCOMING;
        return new CallMessage(call.callId(), call.webhookId(), acceptedAt.toEpochMilli(), reason);
    }

    /** The send failed: the call goes back to ACCEPTED (if the enqueue claim is still ours) for the next delivery. */
    private IntakeOutcome sendFailed(CallRecord call, String enqueueToken) {
        store.undoEnqueue(call.callId(), enqueueToken);
        metrics.record(Measurement.one(Metric.ACCEPT_FAILURES).with(Dimension.REASON, "enqueue_failed")
                .property("call_id", call.callId()));
        return IntakeOutcome.ENQUEUE_FAILED;
    }

    private void queued(CallRecord call, boolean outbound) {
        metrics.record(Measurement.one(Metric.CALLS_QUEUED)
                .with(Dimension.CALL_DIRECTION, outbound || call.outbound() ? "outbound" : "inbound")
                .property("call_id", call.callId()));
    }

    /** Accept latency by how it ended, and a failure when OpenAI refused or could not be reached. */
    private void recordAccept(String callId, boolean outbound, CallsOutcome outcome, long nanos) {
        String ended = switch (outcome) {
            case CallsOutcome.Done d -> "done";
            case CallsOutcome.Gone g -> "gone";
            case CallsOutcome.Refused r -> "refused";
            case CallsOutcome.Unavailable u -> "unavailable";
        };
        Measurement latency = Measurement.of(Metric.ACCEPT_LATENCY, nanos / 1_000_000.0)
                .with(Dimension.CALL_DIRECTION, outbound ? "outbound" : "inbound")
                .with(Dimension.OUTCOME, ended)
                .property("call_id", callId);
        if (outcome instanceof CallsOutcome.Refused || outcome instanceof CallsOutcome.Unavailable) {
            metrics.record(latency, Measurement.one(Metric.ACCEPT_FAILURES).with(Dimension.REASON, ended)
                    .property("call_id", callId));
        } else {
            metrics.record(latency);
        }
    }

    private static String newToken() {
        return UUID.randomUUID().toString();
    }

    /** Waits a moment for another delivery's step to finish; false once the budget is spent. */
    private static boolean pause(long waitUntilNanos) {
        if (System.nanoTime() + POLL_NANOS > waitUntilNanos) {
            return false;
        }
        LockSupport.parkNanos(POLL_NANOS);
        return true;
    }
}
