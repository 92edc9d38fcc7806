package ai.phoneagent.simulator;

import java.util.concurrent.ThreadLocalRandom;

/** OpenAI-style random identifiers ({@code rtc_…}, {@code evt_…}, {@code item_…}); unique enough for tests. */
public final class OpenAiIds {
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();

    private OpenAiIds() {
    }

    /** {@code prefix_} followed by 24 random letters and digits. */
    public static String next(String prefix) {
        return prefix + "_" + random(24);
    }

    /** A fresh Realtime SIP call id, {@code rtc_…}. */
    public static String callId() {
        return "rtc_" + random(32);
    }

    /** Random letters and digits. */
    public static String random(int length) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}
