package ai.phoneagent.worker.transcript;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.Turn;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.worker.discord.DiscordSink;
import ai.phoneagent.worker.discord.DiscordText;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Stores each final utterance as a turn (once per speaker and item id, even when the event repeats) and then
 * streams it to Discord. Called on the call's serial event thread, so turns are stored in arrival order.
 */
public final class TranscriptRecorder {
    private static final JsonLog LOG = JsonLog.forComponent("transcript");
    private static final int ATTEMPTS = 3;

    private final CallStore store;
    private final DiscordSink discord;
    private final Clock clock;

    public TranscriptRecorder(CallStore store, DiscordSink discord, Clock clock) {
        this.store = store;
        this.discord = discord;
        this.clock = clock;
    }

    /** Records a final utterance; true when it was stored now (false: empty, a repeat, or the store failed). */
    public boolean record(String callId, Turn.Speaker speaker, String text, String itemId) {
        if (text == null || text.isBlank()) {
            return false;
        }
        String clean = text.strip();
        Optional<Long> seq = Optional.empty();
        for (int attempt = 1; ; attempt++) {
            try {
                seq = store.appendTurn(callId, speaker, clean, itemId, clock.instant());
                break;
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS) {
                    LOG.error("turn not stored", Map.of("call_id", callId, "speaker", speaker.wireName(),
                            "error", JsonLog.describe(e)));
                    return false;
                }
                try {
                    Thread.sleep(100L << attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        if (seq.isEmpty()) {
            return false; // this utterance was already stored (a repeated event)
        }
        discord.post(callId, speaker == Turn.Speaker.CALLER ? DiscordText.callerLine(clean) : DiscordText.agentLine(clean));
        return true;
    }
}
