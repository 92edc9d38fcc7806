package ai.phoneagent.outbound;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The SIP headers that tie an answered outbound call to its launch: {@code X-Launch-Id} names the launch and
 * {@code X-Launch-Key} proves the call came from our own dial (128 random bits, stored only as a SHA-256 hash). A
 * caller who knows or guesses a launch id but not its key is an ordinary inbound caller.
 */
public final class LaunchKeys {
    public static final String ID_HEADER = "X-Launch-Id";
    public static final String KEY_HEADER = "X-Launch-Key";
    private static final SecureRandom RANDOM = new SecureRandom();

    private LaunchKeys() {
    }

    /** A fresh key: 22 URL-safe characters, short enough for a SIP URI. */
    public static String newKey() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A fresh random launch id ({@code ol_} + 32 hex digits). */
    public static String newLaunchId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "ol_" + HexFormat.of().formatHex(bytes);
    }

    /** The launch id an {@code Idempotency-Key} stands for: the same key always names the same launch. */
    public static String launchIdFor(String idempotencyKey) {
        return "ol_" + hash("idempotency:" + idempotencyKey).substring(0, 32);
    }

    /** Hex SHA-256 of a key (what the launch item keeps). */
    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
