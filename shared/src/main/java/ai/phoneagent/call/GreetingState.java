package ai.phoneagent.call;

/**
 * Whether a call's greeting has gone out, as stored on the call item ({@code greeting}). It decides, on every attach
 * by any worker, whether that attach greets: only while the greeting is {@link #DUE}.
 */
public enum GreetingState {
    /** A call recorded before greetings were stored: the greeting is inferred from the attach (first attach greets). */
    UNRECORDED(null),
    /** Recorded with the call; no worker has seen OpenAI start a response on it yet: the next attach greets. */
    DUE("due"),
    /** OpenAI started a response after the call was attached (the greeting, or an answer): no attach greets again. */
    SENT("sent");

    private final String wireName;

    GreetingState(String wireName) {
        this.wireName = wireName;
    }

    /** The stored value; null for {@link #UNRECORDED} (the attribute is absent). */
    public String wireName() {
        return wireName;
    }

    /** The state a stored value stands for; absent or unknown values read as {@link #UNRECORDED}. */
    public static GreetingState fromWire(String stored) {
        if (stored == null) {
            return UNRECORDED;
        }
        return switch (stored) {
            case "due" -> DUE;
            case "sent" -> SENT;
            default -> UNRECORDED;
        };
    }
}
