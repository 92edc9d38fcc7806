package ai.phoneagent.worker.call;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.json.Json;
import ai.phoneagent.worker.realtime.ClientEvents;
import java.util.Optional;

/**
 * What a call opens with on its first attach: the first {@code response.create} on its socket, or nothing (the agent
 * waits for the caller). An inbound call hears {@code WELCOME_MESSAGE}; an outbound call never does: it hears its
 * launch's opening, or, when the launch has none (or an empty one), the model opens from the launch's instructions (a
 * bare {@code response.create}).
 */
@FunctionalInterface
public interface GreetingPolicy {
    /** The first client event for this call; empty: the agent waits for the caller. */
    Optional<String> firstResponse(CallRecord call);

    /** The configured welcome message for inbound calls, the launch's opening for outbound ones. */
    static GreetingPolicy byDirection(Optional<String> welcomeMessage) {
        return call -> {
            if (!call.outbound()) {
                return ClientEvents.greeting(welcomeMessage);
            }
            String opening = call.opening() == null ? "" : call.opening().strip();
            if (opening.isEmpty()) {
                return Optional.of(Json.write(Json.object().put("type", "response.create")));
            }
            return ClientEvents.greeting(Optional.of(opening));
        };
    }
}
