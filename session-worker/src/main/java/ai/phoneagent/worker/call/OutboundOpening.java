package ai.phoneagent.worker.call;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.json.Json;
import ai.phoneagent.worker.realtime.ClientEvents;
import java.util.Optional;

/**
 * What goes out first on a call's socket. An inbound call hears the configured greeting; an outbound call never
 * does: it hears its launch's opening, or, when the launch's opening is empty, the model opens from the launch's
 * instructions (a bare {@code response.create}). An outbound launch without any opening also lets the model open.
 */
public final class OutboundOpening {
    private OutboundOpening() {
    }

    /** The first {@code response.create} for this call, or empty for none. */
    public static Optional<String> firstResponse(CallRecord call, Optional<String> welcomeMessage) {
        if (!call.outbound()) {
            return ClientEvents.greeting(welcomeMessage);
        }
        String opening = call.opening() == null ? "" : call.opening().strip();
        if (opening.isEmpty()) {
            return Optional.of(Json.write(Json.object().put("type", "response.create")));
        }
        return ClientEvents.greeting(Optional.of(opening));
    }
}
