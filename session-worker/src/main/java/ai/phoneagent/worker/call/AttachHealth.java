package ai.phoneagent.worker.call;

import ai.phoneagent.logging.JsonLog;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Whether this worker can hold calls, judged across calls: an attach refused as unauthorized (a bad key is the
 * worker's, not the call's) makes it unhealthy at once; {@code failureLimit} calls in a row that could not be
 * re-attached within their window do too. Calls, not attempts: one call that fails again (this worker took its own
 * released call back from the queue) is still one call, or a single unreachable call would make a worker unhealthy
 * by itself after a few rounds. Once unhealthy it stays so; the worker then stops taking calls, hands its
 * calls off and answers {@code /health} 503 with the reason.
 */
public final class AttachHealth {
    private static final JsonLog LOG = JsonLog.forComponent("health");

    private final int failureLimit;
    /** The distinct calls that could not be held since the last successful attach. */
    private final Set<String> failedInARow = new HashSet<>();
    private final AtomicReference<String> unhealthy = new AtomicReference<>();
    private volatile Consumer<String> onUnhealthy = reason -> { };

    public AttachHealth(int failureLimit) {
        this.failureLimit = failureLimit;
    }

    /** Run once, with the reason, when the worker turns unhealthy. */
    public void onUnhealthy(Consumer<String> action) {
        this.onUnhealthy = action;
    }

    public void attached() {
        synchronized (failedInARow) {
            failedInARow.clear();
        }
    }

    public void failed(String callId, CallMachine.AttachFailure failure) {
        int inARow;
        synchronized (failedInARow) {
            failedInARow.add(callId);
            inARow = failedInARow.size();
        }
        LOG.warn("call could not be held", Map.of("call_id", callId, "failure", failure.name().toLowerCase(),
                "failures_in_a_row", inARow));
        if (failure == CallMachine.AttachFailure.UNAUTHORIZED) {
            turnUnhealthy("attach_unauthorized");
        } else if (inARow >= failureLimit) {
            turnUnhealthy("attach_failures");
        }
    }

    /** Why the worker is unhealthy, or null while it is healthy. */
    public String reason() {
        return unhealthy.get();
    }

    private void turnUnhealthy(String reason) {
        if (unhealthy.compareAndSet(null, reason)) {
            LOG.error("worker unhealthy: stops taking calls and hands its calls off", Map.of("reason", reason));
            onUnhealthy.accept(reason);
        }
    }
}
