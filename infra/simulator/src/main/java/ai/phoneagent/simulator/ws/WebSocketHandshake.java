package ai.phoneagent.simulator.ws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/** The server half of the WebSocket opening handshake (RFC 6455 section 4.2). */
public final class WebSocketHandshake {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketHandshake() {
    }

    /** True when the request headers ask for a WebSocket upgrade. */
    public static boolean isUpgrade(String connection, String upgrade, String key) {
        return connection != null && connection.toLowerCase(Locale.ROOT).contains("upgrade")
                && upgrade != null && upgrade.equalsIgnoreCase("websocket")
                && key != null && !key.isBlank();
    }

    /** The {@code Sec-WebSocket-Accept} value for a client's {@code Sec-WebSocket-Key}. */
    public static String acceptValue(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key.strip() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }
}
