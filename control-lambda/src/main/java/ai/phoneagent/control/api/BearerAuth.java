package ai.phoneagent.control.api;

import ai.phoneagent.control.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code Authorization: Bearer <CONTROL_API_TOKEN>} for /control routes, failing closed: no token configured means
 * 503 unless auth was explicitly disabled for local development. The presented and expected tokens are compared as
 * SHA-256 digests with {@link MessageDigest#isEqual}, so neither their content nor their length leaks through timing.
 */
public final class BearerAuth {
    private final byte[] expectedDigest;
    private final boolean disabled;

    public BearerAuth(Optional<Secret> token, boolean disabled) {
        this.expectedDigest = token.map(t -> sha256(t.reveal())).orElse(null);
        this.disabled = expectedDigest == null && disabled;
    }

    /** True when requests pass without a token (local development). */
    public boolean disabled() {
        return disabled;
    }

    /** Passes, or throws 401 {@code unauthorized} / 503 {@code control_not_configured}. */
    public void check(ApiRequest request) {
        if (expectedDigest == null) {
            if (disabled) {
                return;
            }
            throw new ApiError(503, ErrorCode.CONTROL_NOT_CONFIGURED, "The control API has no token configured");
        }
        byte[] presented = request.header("authorization").flatMap(BearerAuth::bearerToken).map(BearerAuth::sha256)
                .orElse(null);
        boolean ok = MessageDigest.isEqual(expectedDigest, presented == null ? new byte[expectedDigest.length] : presented);
        if (!ok || presented == null) {
            throw new ApiError(401, ErrorCode.UNAUTHORIZED, "Missing or invalid bearer token")
                    .header("www-authenticate", "Bearer realm=\"control\"");
        }
    }

    static Optional<String> bearerToken(String header) {
        String value = header.strip();
        if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return Optional.empty();
        }
        String token = value.substring(7).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
