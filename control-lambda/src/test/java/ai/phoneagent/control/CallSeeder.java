package ai.phoneagent.control;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.call.SipHeader;
import ai.phoneagent.command.ControlQueues;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Puts calls into the table in each lifecycle state, through the same store operations the real parts use. */
public final class CallSeeder {
    /** A Twilio call token the call items carry; it must never appear in any response. */
    public static final String CALL_TOKEN = "call-token-SECRET-must-not-leak";
    public static final String OWNER = "worker-test-1";

    private final CallStore store;
    private final ControlQueues queues;

    public CallSeeder(CallStore store, ControlQueues queues) {
        this.store = store;
        this.queues = queues;
    }

    public static String newCallId() {
        return "rtc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    public String received(Instant at) {
        String callId = newCallId();
        store.recordIncoming(new IncomingCall(callId, "wh_" + callId, List.of(
                new SipHeader("From", "+15550001111"), new SipHeader("To", "+15550002222"),
                new SipHeader("X-conferenceName", "conf-" + callId), new SipHeader("X-callToken", CALL_TOKEN))), at);
        return callId;
    }

    public String queued(Instant at) {
        String callId = received(at);
        for (CallStore.Step step : CallStore.Step.values()) {
            String claim = "claim-" + step;
            if (!store.claimStep(callId, step, claim, at, Duration.ofSeconds(30))
                    || !store.completeStep(callId, step, claim, at)) {
                throw new IllegalStateException("could not move the call through " + step);
            }
        }
        return callId;
    }

    /** Attached by a worker, without a control queue yet. */
    public String attachedWithoutQueue(Instant at) {
        String callId = queued(at);
        store.claimOwnership(callId, OWNER, at).orElseThrow();
        return callId;
    }

    /**
     * Attached by a worker whose claim recorded the call's queue URL, derived from its nudge queue's as workers do
     * ({@code siblingQueueUrl}); the queue itself not made (no command sent yet).
     */
    public String attachedWithQueueUrl(Instant at, String siblingQueueUrl) {
        String callId = queued(at);
        store.claimOwnership(callId, OWNER, at, queues.queueUrl(siblingQueueUrl, callId)).orElseThrow();
        return callId;
    }

    /** Attached, with its control queue made and recorded (what the control side does for a call's first command). */
    public String attached(Instant at) {
        String callId = attachedWithoutQueue(at);
        String url = queues.create(callId);
        if (!store.recordControlQueue(callId, url, at)) {
            throw new IllegalStateException("could not record the queue");
        }
        return callId;
    }

    public String orphanedWithoutQueue(Instant at) {
        String callId = attachedWithoutQueue(at);
        store.releaseOwnership(callId, OWNER);
        return callId;
    }

    public String ended(Instant attachedAt, Instant endedAt) {
        String callId = attached(attachedAt);
        store.markEnded(callId, "caller_hung_up", endedAt);
        return callId;
    }

    public CallRecord get(String callId) {
        return store.get(callId).orElseThrow();
    }

    /** Every message on the call's control queue right now (removed): what the worker would have received. */
    public List<ai.phoneagent.command.ControlMessage> drain(String callId) {
        return drainQueue(get(callId).controlQueueUrl());
    }

    /** Every message on this control queue right now (removed). */
    public List<ai.phoneagent.command.ControlMessage> drainQueue(String queueUrl) {
        List<ai.phoneagent.command.ControlMessage> messages = new java.util.ArrayList<>();
        while (true) {
            var batch = queues.receive(queueUrl, 10, 0);
            if (batch.isEmpty()) {
                return messages;
            }
            for (var message : batch) {
                messages.add(ai.phoneagent.command.ControlMessage.parse(message.body()));
                queues.delete(queueUrl, message.receiptHandle());
            }
        }
    }
}
