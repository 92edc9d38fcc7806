package ai.phoneagent.call;

import java.time.Instant;

/** One finished utterance of the conversation ({@code TURN#seq}). */
public record Turn(long seq, Speaker speaker, String text, String itemId, Instant ts) {
    /** Who spoke. */
    public enum Speaker {
        CALLER, AGENT, SYSTEM;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Speaker fromWire(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
