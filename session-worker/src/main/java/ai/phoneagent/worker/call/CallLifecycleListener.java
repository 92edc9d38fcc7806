package ai.phoneagent.worker.call;

import ai.phoneagent.logging.JsonLog;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Hooks around a call's life on this worker, for the control-queue listener and the like. Called on their own
 * virtual threads, never on the path from queue message to greeting; implementations must be thread-safe.
 */
public interface CallLifecycleListener {
    /** The worker attached to the call (first time only) and has already sent the greeting. */
    default void onAttached(CallSession session) {
    }

    /** The call ended ({@code ENDED} written) with this reason. */
    default void onEnded(CallSession session, String reason) {
    }

    /** The worker let go of a live call: handed off at shutdown ({@code released}) or lease lost ({@code lease_lost}). */
    default void onDetached(CallSession session, String why) {
    }

    static CallLifecycleListener none() {
        return new CallLifecycleListener() {
        };
    }

    /** Every listener in order; one that throws is logged and does not keep the others from running. */
    static CallLifecycleListener all(CallLifecycleListener... listeners) {
        List<CallLifecycleListener> each = List.of(listeners);
        JsonLog log = JsonLog.forComponent("call");
        return new CallLifecycleListener() {
            private void forEach(CallSession session, String hook, Consumer<CallLifecycleListener> call) {
                for (CallLifecycleListener listener : each) {
                    try {
                        call.accept(listener);
                    } catch (RuntimeException e) {
                        log.error("lifecycle hook failed", Map.of("call_id", session.callId(), "hook", hook,
                                "error", JsonLog.describe(e)));
                    }
                }
            }

            @Override
            public void onAttached(CallSession session) {
                forEach(session, "attached", l -> l.onAttached(session));
            }

            @Override
            public void onEnded(CallSession session, String reason) {
                forEach(session, "ended", l -> l.onEnded(session, reason));
            }

            @Override
            public void onDetached(CallSession session, String why) {
                forEach(session, "detached", l -> l.onDetached(session, why));
            }
        };
    }
}
