package ai.phoneagent.worker.call;

import ai.phoneagent.call.CallRecord;
import java.util.Optional;

/**
 * What a call opens with on its first attach: the words the agent says at once, or nothing. The seam for calls that
 * open differently (an outbound launch's own opening); today every call gets {@code WELCOME_MESSAGE} or nothing.
 */
@FunctionalInterface
public interface GreetingPolicy {
    /** The opening line for this call; empty: the agent waits for the caller. */
    Optional<String> opening(CallRecord call);

    /** The same configured welcome message for every call. */
    static GreetingPolicy welcome(Optional<String> welcomeMessage) {
        Optional<String> message = welcomeMessage.map(String::strip).filter(s -> !s.isEmpty());
        return call -> message;
    }
}
