package ai.phoneagent.control.calls;

import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ErrorCode;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque pagination cursors: {@code base64url(json) "." base64url(HMAC-SHA256(key, json))}. The payload names what
 * it pages ({@code "k"}), so a cursor is only accepted where it was issued, and nothing a client changes in it
 * survives the signature check (compared in constant time).
 */
public final class CursorCodec {
    /** Longest cursor accepted (a page key plus signature is far shorter). */
    public static final int MAX_LENGTH = 1024;
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    public CursorCodec(byte[] key) {
        if (key.length < 16) {
            throw new IllegalArgumentException("cursor key must be at least 16 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
    }

    /** A cursor carrying {@code payload} for pages of {@code kind}. */
    public String encode(String kind, ObjectNode payload) {
        ObjectNode signed = Json.object().put("k", kind);
        signed.setAll(payload);
        byte[] json = Json.write(signed).getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(json) + "." + ENCODER.encodeToString(mac(json));
    }

    /** The payload of a cursor issued for {@code kind}; 400 {@code invalid_cursor} for anything else. */
    public ObjectNode decode(String kind, String cursor) {
        if (cursor == null || cursor.isEmpty() || cursor.length() > MAX_LENGTH) {
            throw invalid();
        }
        int dot = cursor.indexOf('.');
        if (dot <= 0 || dot != cursor.lastIndexOf('.')) {
            throw invalid();
        }
        byte[] json;
        byte[] signature;
        try {
            json = DECODER.decode(cursor.substring(0, dot));
            signature = DECODER.decode(cursor.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (!MessageDigest.isEqual(mac(json), signature)) {
            throw invalid();
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(json);
        } catch (Exception e) {
            throw invalid();
        }
        if (!(node instanceof ObjectNode payload) || !kind.equals(Json.text(payload, "k"))) {
            throw invalid();
        }
        payload.remove("k");
        return payload;
    }

    /** The error for a cursor that is malformed, forged, or issued for something else. */
    public static ApiError invalid() {
        return new ApiError(400, ErrorCode.INVALID_CURSOR, "The cursor is not valid here");
    }

    private byte[] mac(byte[] data) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
