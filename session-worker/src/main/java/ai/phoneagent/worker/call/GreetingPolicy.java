package ai.phoneagent.worker.call;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.GreetingState;
import ai.phoneagent.json.Json;
import ai.phoneagent.worker.realtime.ClientEvents;
import java.util.Optional;

/**
 * What a call opens with on its first attach: the first {@code response.create} on its socket, or nothing (the agent
 * waits for the caller). An inbound call hears {@code WELCOME_MESSAGE}; an outbound call never does: it hears its
 * launch's opening, or, when the launch has none (or an empty one), the model opens from the launch's instructions (a
 * bare {@code response.create}).
 *
 * <p>When it is said is decided from the call's stored state ({@link #due}), never from how the worker came by the
 * call: every attach greets until some worker has seen OpenAI start a response on the call (stored as
 * {@code greeting = sent}); from then on no attach greets. A worker that dies after sending the greeting but before
 * storing that leaves it due, so the next owner greets again: a repeated greeting is chosen over a caller left in
 * silence, and the window is one store write after OpenAI's {@code response.created}.
 */
@FunctionalInterface
public interface GreetingPolicy {
    /** The first client event for this call; empty: the agent waits for the caller. */
    Optional<String> firstResponse(CallRecord call);

    /**
     * Whether an attach of {@code call} greets: while its stored greeting is due (a call claimed but never greeted,
     * its owner having died first, is greeted by whoever takes it), never once it went out. Calls stored before the
     * greeting was recorded greet on their first attach ({@code firstAttach}) only, as they always did.
     */
    static boolean due(CallRecord call, boolean firstAttach) {
        return switch (call.greeting()) {
            case DUE -> true;
            case SENT -> false;
            case UNRECORDED -> firstAttach;
        };
    }

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
