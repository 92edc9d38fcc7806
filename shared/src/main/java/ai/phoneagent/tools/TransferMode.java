package ai.phoneagent.tools;

import java.util.Locale;

/** Warm: a human joins the Twilio conference first. Cold: OpenAI sends SIP REFER and the agent leaves. */
public enum TransferMode {
    WARM, COLD;

    /** Parses {@code warm}/{@code cold} in any case. */
    public static TransferMode parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "warm" -> WARM;
            case "cold" -> COLD;
            default -> throw new IllegalArgumentException("must be warm or cold");
        };
    }
}
