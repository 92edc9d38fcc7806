package ai.phoneagent.callevents;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.logging.LogContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Re-enqueues a call's events with their original ids (the control API's replay route). */
public final class CallEventReplay {
    private final CallStore store;
    private final CallEventsQueue queue;

    public CallEventReplay(CallStore store, CallEventsQueue queue) {
        this.store = store;
        this.queue = queue;
    }

    /** The events enqueued again, in order; empty when the call is unknown. */
    public Optional<List<CallEventMessage>> replay(String callId, long now) {
        Optional<CallRecord> call = store.get(callId);
        call.ifPresent(c -> LogContext.identify(callId, c.traceId()));
        if (call.isEmpty()) {
            return Optional.empty();
        }
        List<CallEvent> events = store.allEvents(callId);
        List<CallEventMessage> sent = new ArrayList<>();
        for (CallEventMessage message : CallEventsQueue.eventsOf(call.get(), events)) {
            CallEventMessage again = message.enqueuedAgain(now);
            queue.send(again);
            sent.add(again);
        }
        return Optional.of(sent);
    }
}
