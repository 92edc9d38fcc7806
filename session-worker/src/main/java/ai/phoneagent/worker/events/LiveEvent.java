package ai.phoneagent.worker.events;

import ai.phoneagent.call.Turn;
import java.time.Duration;

/** What a call's session tells the outside world while the call runs (Discord today; anything else tomorrow). */
public sealed interface LiveEvent {
    String callId();

    /** The call's first attach on any worker (not a re-attach after a hand-off); outbound ones name their launch. */
    record CallStarted(String callId, String from, String to, boolean outbound, String launchId) implements LiveEvent {
    }

    /** A final utterance, once per speaker and item id. */
    record Utterance(String callId, Turn.Speaker speaker, String text) implements LiveEvent {
    }

    /** A transfer that started (warm: the human is being dialled; cold: OpenAI accepted the REFER). */
    record CallTransferred(String callId, String eventId, String target, String mode) implements LiveEvent {
    }

    record CallEnded(String callId, Duration duration, String reason) implements LiveEvent {
    }
}
