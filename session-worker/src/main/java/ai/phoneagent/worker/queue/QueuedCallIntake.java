package ai.phoneagent.worker.queue;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.queue.InvalidMessageException;
import ai.phoneagent.worker.call.Admission;
import ai.phoneagent.worker.call.CallRegistry;
import ai.phoneagent.worker.call.CallSession;
import ai.phoneagent.worker.call.SessionServices;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Turns one calls-queue message into a hosted call: validate, claim ownership by conditional write (so a message
 * delivered twice, or to two workers, gives exactly one owner), start the session (whose socket open sends the
 * greeting), and only then delete the message, off the greeting's path.
 */
public final class QueuedCallIntake {
    private static final JsonLog LOG = JsonLog.forComponent("intake");
    /** How soon a message that could not be settled now is looked at again. */
    static final int RECHECK_SECONDS = 1;
    /** A take-in still running after this long hides its message for longer ({@link #HIDDEN_WHILE_TAKING_SECONDS}). */
    static final Duration HIDE_AFTER = Duration.ofMillis(500);
    /** How long a slow take-in hides its message: as long as the calls queue's own visibility timeout. */
    static final int HIDDEN_WHILE_TAKING_SECONDS = 30;

    private final CallRegistry registry;
    private final SessionServices services;
    private final CallsQueue queue;
    private final CallStore store;
    private final Clock clock;
    private final Supplier<Admission> admission;
    private final ControlQueuePreparer controlQueues;

    /**
     * @param admission     asked before the claim and again once the call is hosted: a message still being taken in
     *                      when the worker drains is given back; when it halts, left as a killed process leaves it
     * @param controlQueues gives each claim the call's control queue URL to record
     */
    public QueuedCallIntake(CallRegistry registry, SessionServices services, Supplier<Admission> admission,
                            ControlQueuePreparer controlQueues) {
        this.controlQueues = controlQueues;
        this.registry = registry;
        this.services = services;
        this.queue = services.queue();
        this.store = services.store();
        this.clock = services.clock();
        this.admission = admission;
    }

    /**
     * Handles a received message that holds one reserved capacity slot; the slot is freed or kept by the call. Its
     * lines carry the call's ids once the message is parsed. The message was received hidden for only
     * {@link QueuePoller#RECEIVE_VISIBILITY_SECONDS} (so one whose receive's answer never arrived is soon back); a
     * take-in that runs longer hides it for longer while it runs.
     */
    public void handle(CallsQueue.Received message) {
        LogContext.request().run(() -> handleInContext(message));
    }

    private void handleInContext(CallsQueue.Received message) {
        Taking taking = new Taking(message);
        ScheduledFuture<?> hide = services.timers().schedule(() -> services.io().execute(taking::hideWhileTaking),
                HIDE_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        try {
            take(taking);
        } finally {
            hide.cancel(false);
        }
    }

    private void take(Taking taking) {
        CallsQueue.Received message = taking.message;
        CallMessage parsed;
        try {
            parsed = CallMessage.parse(message.body());
        } catch (InvalidMessageException e) {
            // not deleted: after its receives run out, the redrive policy moves it to the dead-letter queue
            LOG.warn("invalid calls-queue message", Map.of("message_id", message.messageId(), "why", e.getMessage(),
                    "receive_count", message.receiveCount()));
            registry.release(1);
            return;
        }
        String callId = parsed.callId();
        LogContext.identify(callId, parsed.traceId());
        if (!registry.begin(callId)) {
            registry.release(1);
            Optional<CallSession> hosted = registry.session(callId);
            if (parsed.reason() == CallMessage.Reason.ORPHANED && hosted.isPresent()) {
                freedWhileHostedHere(taking, hosted.get());
                return;
            }
            LOG.info("duplicate message for a call already hosted here", Map.of("call_id", callId));
            taking.delete(callId);
            return;
        }
        Admission before = admission.get();
        if (before != Admission.OPEN) {
            registry.abandon(callId);
            if (before == Admission.CLOSED) {
                // shutting down: leave the call, still unclaimed, to another worker, which then greets it
                taking.returnLater(callId, 0);
            }
            return;
        }
        Instant now;
        Optional<CallRecord> claimed;
        try {
            now = clock.instant();
            claimed = store.claimOwnership(callId, services.owner(), now, controlQueues.prepare(callId).orElse(null));
        } catch (RuntimeException e) {
            // another attempt (here or elsewhere) follows soon, backing off with each receive, rather than after the
            // whole visibility timeout: the store may be back in a second
            int retryIn = Math.min(1 << Math.clamp(message.receiveCount(), 0, 5), 20);
            LOG.error("claim failed", Map.of("call_id", callId, "error", JsonLog.describe(e), "retry_in_s", retryIn));
            registry.abandon(callId);
            taking.returnLater(callId, retryIn);
            return;
        }
        if (claimed.isEmpty()) {
            // another worker owns the call, or it has ended: this delivery is a duplicate
            LOG.info("call not claimed: owned elsewhere or over", Map.of("call_id", callId, "reason", parsed.reason().wireName()));
            registry.abandon(callId);
            taking.delete(callId);
            return;
        }
        CallRecord call = claimed.get();
        LogContext.identify(callId, call.traceId()); // the stored trace wins over the message's
        // whether it greets is the call's stored greeting (GreetingPolicy.due); this only for calls without one
        boolean firstAttach = call.attachedAt() != null && call.attachedAt().toEpochMilli() == now.toEpochMilli()
                && (parsed.reason() == CallMessage.Reason.INCOMING || parsed.reason() == CallMessage.Reason.OUTBOUND);
        CallSession session = new CallSession(call, firstAttach, services, () -> registry.stopped(callId));
        registry.hosted(session);
        // checked after hosting: a shutdown or halt that began meanwhile either sees this session, or is seen here
        Admission after = admission.get();
        if (!after.admits(session)) {
            if (after == Admission.CLOSED) {
                taking.delete(callId); // released, with a message of its own; when HALTED this one stays, as after a kill
            }
            return;
        }
        try {
            session.start();
        } catch (RuntimeException e) {
            // never keep a claimed call that has no socket: it would point at a live worker with nobody handling it
            LOG.error("call socket not started", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            session.release();
        }
        // after the start: the socket opens (and the greeting follows) while this line is written
        LOG.info("call claimed", Map.of("call_id", callId, "reason", parsed.reason().wireName(), "first_attach", firstAttach));
        Thread.ofVirtual().name("delete-" + callId).start(LogContext.wrap(() -> taking.delete(callId)));
    }

    /**
     * A re-enqueue of a call this worker hosts: another worker freed it (it judged this one gone), or this worker's
     * own hand-off is on its way. Either way the session here is not the call's owner once the store says so: it
     * stops without writing, and the message comes back shortly for whoever takes the call next (this worker too).
     * Deleting it as a duplicate would leave the call {@code ORPHANED} until the sweep re-sends it.
     */
    private void freedWhileHostedHere(Taking taking, CallSession session) {
        String callId = session.callId();
        Optional<CallRecord> stored;
        try {
            stored = store.get(callId);
        } catch (RuntimeException e) {
            LOG.warn("re-enqueued call hosted here not checked; the message comes back", Map.of("call_id", callId,
                    "error", JsonLog.describe(e)));
            taking.returnLater(callId, RECHECK_SECONDS);
            return;
        }
        boolean stillOurs = stored.isPresent() && stored.get().status() == CallStatus.ATTACHED
                && services.owner().equals(stored.get().owner());
        if (stillOurs || stored.isEmpty() || stored.get().status().isTerminal()) {
            LOG.info("duplicate message for a call already hosted here", Map.of("call_id", callId));
            taking.delete(callId);
            return;
        }
        LOG.warn("call hosted here was freed by another worker; stopping it here and taking it in again",
                Map.of("call_id", callId, "status", stored.get().status().name()));
        session.ownershipLost();
        taking.returnLater(callId, RECHECK_SECONDS);
    }

    /**
     * One received message until it is settled (deleted, or handed back with a visibility): settling waits for a
     * hiding in flight, so the settlement is always the last word on the message's visibility.
     */
    private final class Taking {
        private final CallsQueue.Received message;
        private boolean settled;

        Taking(CallsQueue.Received message) {
            this.message = message;
        }

        /** The take-in is slow (a store that lags): keep the message hidden while it runs. */
        synchronized void hideWhileTaking() {
            if (settled) {
                return;
            }
            try {
                queue.retryLater(message.receiptHandle(), HIDDEN_WHILE_TAKING_SECONDS);
            } catch (RuntimeException e) {
                // it may come back to another worker meanwhile, whose claim then finds the call taken
                LOG.warn("slow take-in: message not kept hidden", Map.of("message_id", message.messageId(),
                        "error", JsonLog.describe(e)));
            }
        }

        private synchronized void settle() {
            settled = true;
        }

        void returnLater(String callId, int seconds) {
            settle();
            try {
                queue.retryLater(message.receiptHandle(), seconds);
            } catch (RuntimeException e) {
                LOG.warn("could not return message to the queue", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            }
        }

        void delete(String callId) {
            settle();
            try {
                queue.delete(message.receiptHandle());
            } catch (RuntimeException e) {
                // harmless: a redelivery finds the call owned and is deleted then
                LOG.warn("queue message not deleted", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            }
        }
    }
}
