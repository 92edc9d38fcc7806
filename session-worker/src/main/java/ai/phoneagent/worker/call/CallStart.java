package ai.phoneagent.worker.call;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.json.Json;
import ai.phoneagent.worker.discord.DiscordText;
import ai.phoneagent.worker.realtime.ClientEvents;
import java.util.Optional;

/**
 * How a call starts, by direction. What goes out first on its socket: an inbound call hears the configured greeting;
 * an outbound call never does: it hears its launch's opening, or, when the launch has none (or an empty one), the
 * model opens from the launch's instructions (a bare {@code response.create}). And the Discord start notice, which
 * shows the direction.
 */
public final class CallStart {
    private CallStart() {
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

    /** The Discord notice of a call that started: who called whom, or which launch we placed. */
    public static String startNotice(CallRecord call, boolean mask) {
        if (!call.outbound()) {
            return DiscordText.startNotice(call.from(), call.to(), mask);
        }
        return "📞 Outbound call started — launch " + call.launchId() + ", from "
                + DiscordText.displayParty(call.from(), mask);
    }
}
