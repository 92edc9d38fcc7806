package ai.phoneagent.webhook;

import ai.phoneagent.agent.AgentProfile;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.CallsOutcome;
import ai.phoneagent.outbound.LaunchStore;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes an incoming call from webhook to queue: record it, accept it once, enqueue it once. Each step is guarded
 * by a claim on the call item, so concurrent or repeated deliveries never accept or enqueue twice, and a delivery
 * that fails half-way leaves the call where the next delivery can finish it.
 */
public final class CallIntake {
    private static final Duration ENQUEUE_LEASE = Duration.ofSeconds(10);
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

    public CallIntake(CallStore store, CallsClient calls, CallsQueue queue, AgentProfile profile, Clock clock,
                      Duration acceptDeadline) {
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
        CallRecord call = store.recordIncoming(incoming, clock.instant()).call();
        long waitUntil = System.nanoTime() + waitForOthers.toNanos();
        boolean didWork = false;
        while (true) {
            switch (call.status()) {
                case RECEIVED -> {
                    String token = UUID.randomUUID().toString();
                    if (store.claimStep(call.callId(), CallStore.Step.ACCEPT, token, clock.instant(), acceptLease)) {
                        IntakeOutcome failed = accept(call, token);
                        if (failed != null) {
                            return failed;
                        }
                        didWork = true;
                    } else if (!pause(waitUntil)) {
                        return IntakeOutcome.IN_PROGRESS;
                    }
                }
                case ACCEPTED -> {
                    String token = UUID.randomUUID().toString();
                    if (store.claimStep(call.callId(), CallStore.Step.ENQUEUE, token, clock.instant(), ENQUEUE_LEASE)) {
                        return enqueue(call, token);
                    } else if (!pause(waitUntil)) {
                        return IntakeOutcome.IN_PROGRESS;
                    }
                }
                case GONE -> {
                    return didWork ? IntakeOutcome.GONE : IntakeOutcome.DUPLICATE;
                }
                case QUEUED, ATTACHED, ORPHANED, ENDED, FAILED -> {
                    return IntakeOutcome.DUPLICATE;
                }
            }
            call = store.get(call.callId()).orElseThrow(() -> new IllegalStateException("call item vanished"));
        }
    }

    /** Calls OpenAI's accept; returns null when accepted (intake goes on), or the final outcome. */
    private IntakeOutcome accept(CallRecord call, String token) {
        CallsOutcome outcome = calls.accept(call.callId(), launches.acceptBody(call));
        return switch (outcome) {
            case CallsOutcome.Done done -> {
                store.completeAccept(call.callId(), token, clock.instant(), toolCatalog);
                yield null;
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
    }

    private IntakeOutcome enqueue(CallRecord call, String token) {
        try {
            // the loop read the call after the accept step, so acceptedAt is already in hand
            long acceptedAt = call.acceptedAt() == null ? clock.millis() : call.acceptedAt().toEpochMilli();
            queue.send(new CallMessage(call.callId(), call.webhookId(), acceptedAt,
                    call.outbound() ? CallMessage.Reason.OUTBOUND : CallMessage.Reason.INCOMING));
        } catch (RuntimeException e) {
            store.releaseStep(call.callId(), CallStore.Step.ENQUEUE, token);
            return IntakeOutcome.ENQUEUE_FAILED;
        }
        store.completeStep(call.callId(), CallStore.Step.ENQUEUE, token, clock.instant());
        return IntakeOutcome.QUEUED;
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
