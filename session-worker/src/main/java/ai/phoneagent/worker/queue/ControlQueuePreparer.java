package ai.phoneagent.worker.queue;

import java.util.Optional;

/**
 * Gives the claim the URL of the call's control queue to record (derived without a request), so the control side can
 * make the queue there and nudge the owner for the call's first command. The queue itself is not made here: a call
 * without commands never has one.
 */
@FunctionalInterface
public interface ControlQueuePreparer {
    /** The URL the claim records, or empty (none known yet: the control side then makes the queue and records it). */
    Optional<String> prepare(String callId);

    static ControlQueuePreparer none() {
        return callId -> Optional.empty();
    }
}
