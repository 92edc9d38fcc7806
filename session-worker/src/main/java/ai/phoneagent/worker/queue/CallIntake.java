package ai.phoneagent.worker.queue;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.queue.InvalidMessageException;
import ai.phoneagent.worker.call.CallRegistry;
import ai.phoneagent.worker.call.CallSession;
import ai.phoneagent.worker.call.SessionServices;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Turns one calls-queue message into a hosted call: validate, claim ownership by conditional write (so a message
 * delivered twice, or to two workers, gives exactly one owner), start the session (whose socket open sends the
 * greeting), and only then delete the message, off the greeting's path.
 */
public final class CallIntake {
    private static final JsonLog LOG = JsonLog.forComponent("intake");

    private final CallRegistry registry;
    private final SessionServices services;
    private final CallsQueue queue;
    private final CallStore store;
    private final Clock clock;
    private final BooleanSupplier accepting;

    /** @param accepting false once the worker drains: a message still being taken in is then given back */
    public CallIntake(CallRegistry registry, SessionServices services, BooleanSupplier accepting) {
        this.registry = registry;
        this.services = services;
        this.queue = services.queue();
        this.store = services.store();
        this.clock = services.clock();
        this.accepting = accepting;
    }

    /**
     * Handles a received message that holds one reserved capacity slot; the slot is freed or kept by the call. Its
     * lines carry the call's ids once the message is parsed.
     */
    public void handle(CallsQueue.Received message) {
        LogContext.request().run(() -> handleInContext(message));
    }

    private void handleInContext(CallsQueue.Received message) {
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
            LOG.info("duplicate message for a call already hosted here", Map.of("call_id", callId));
            registry.release(1);
            delete(message, callId);
            return;
        }
        if (!accepting.getAsBoolean()) {
            // shutting down: leave the call, still unclaimed, to another worker, which then greets it
            registry.abandon(callId);
            try {
                queue.retryLater(message.receiptHandle(), 0);
            } catch (RuntimeException e) {
                LOG.warn("could not return message to the queue", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            }
            return;
        }
        Instant now;
        Optional<CallRecord> claimed;
        try {
            now = clock.instant();
            claimed = store.claimOwnership(callId, services.owner(), now);
        } catch (RuntimeException e) {
            // the message stays; it becomes visible again and another attempt (here or elsewhere) follows
            LOG.error("claim failed", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            registry.abandon(callId);
            return;
        }
        if (claimed.isEmpty()) {
            // another worker owns the call, or it has ended: this delivery is a duplicate
            LOG.info("call not claimed: owned elsewhere or over", Map.of("call_id", callId, "reason", parsed.reason().wireName()));
            registry.abandon(callId);
            delete(message, callId);
            return;
        }
        CallRecord call = claimed.get();
        LogContext.identify(callId, call.traceId()); // the stored trace wins over the message's
        // greet only on the call's first attach; an orphaned or handed-off call is mid-conversation
        boolean firstAttach = call.attachedAt() != null && call.attachedAt().toEpochMilli() == now.toEpochMilli();
        boolean greet = (parsed.reason() == CallMessage.Reason.INCOMING || parsed.reason() == CallMessage.Reason.OUTBOUND)
                && firstAttach;
        CallSession session = new CallSession(call, greet, services, () -> registry.stopped(callId));
        registry.hosted(session);
        // checked after hosting: a shutdown that began meanwhile either sees this session and hands it off, or is
        // seen here
        if (!accepting.getAsBoolean()) {
            session.release();
            delete(message, callId);
            return;
        }
        LOG.info("call claimed", Map.of("call_id", callId, "reason", parsed.reason().wireName(), "greet", greet));
        try {
            session.start();
        } catch (RuntimeException e) {
            // never keep a claimed call that has no socket: it would point at a live worker with nobody handling it
            LOG.error("call socket not started", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            session.release();
        }
        Thread.ofVirtual().name("delete-" + callId).start(LogContext.wrap(() -> delete(message, callId)));
    }

    private void delete(CallsQueue.Received message, String callId) {
        try {
            queue.delete(message.receiptHandle());
        } catch (RuntimeException e) {
            // harmless: a redelivery finds the call owned and is deleted then
            LOG.warn("queue message not deleted", Map.of("call_id", callId, "error", JsonLog.describe(e)));
        }
    }
}
