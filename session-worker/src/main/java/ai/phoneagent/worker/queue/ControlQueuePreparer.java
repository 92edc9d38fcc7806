package ai.phoneagent.worker.queue;

import java.util.Optional;

/**
 * Makes a call's control queue while the call is being claimed, so the claim itself can record the queue's URL:
 * attaching a call is then one store write, and the queue exists (in all but a slow SQS's case) before the control
 * side can read the URL and send to it. The greeting never waits for it.
 */
public interface ControlQueuePreparer {
    /** Starts making the call's queue; the URL the claim records, or empty (the queue is then made at attach). */
    Optional<String> prepare(String callId);

    /** The claim was lost or failed: the preparation is not needed (the queue, if made, stays for the call's owner). */
    void unclaimed(String callId);

    static ControlQueuePreparer none() {
        return new ControlQueuePreparer() {
            @Override
            public Optional<String> prepare(String callId) {
                return Optional.empty();
            }

            @Override
            public void unclaimed(String callId) {
            }
        };
    }
}
