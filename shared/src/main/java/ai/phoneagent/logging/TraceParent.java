package ai.phoneagent.logging;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * W3C trace context ({@code traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}): reading a trace id
 * from an incoming header, minting one, and writing the header for an outgoing request.
 */
public final class TraceParent {
    public static final String HEADER = "traceparent";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    /** version-traceid-parentid-flags; a later version may append fields after the flags (W3C §4.3). */
    private static final Pattern HEADER_SHAPE = Pattern.compile(
            "([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_PARENT = "0".repeat(16);

    private TraceParent() {
    }

    /** A new random trace id: 32 lowercase hex digits, never all zeros. */
    public static String newTraceId() {
        return randomHex(16);
    }

    /** {@code bytes} random bytes as lowercase hex, never all zeros (W3C forbids all-zero ids). */
    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        do {
            RANDOM.nextBytes(random);
        } while (java.util.Arrays.equals(random, new byte[bytes]));
        return HexFormat.of().formatHex(random);
    }

    /** True for a trace id we accept: 32 lowercase hex digits, not all zeros. */
    public static boolean isValidTraceId(String id) {
        return id != null && TRACE_ID.matcher(id).matches() && !id.equals(ZERO_TRACE);
    }

    /**
     * The trace id of a {@code traceparent} header value, when it is valid: version {@code ff} is refused, version
     * {@code 00} has exactly four fields, all-zero trace and parent ids are refused, and hex must be lowercase.
     */
    public static Optional<String> traceId(String header) {
        if (header == null || header.length() > 512) {
            return Optional.empty();
        }
        var m = HEADER_SHAPE.matcher(header.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        String version = m.group(1);
        if (version.equals("ff") || (version.equals("00") && m.group(5) != null)) {
            return Optional.empty();
        }
        if (m.group(2).equals(ZERO_TRACE) || m.group(3).equals(ZERO_PARENT)) {
            return Optional.empty();
        }
        return Optional.of(m.group(2));
    }

    /** The trace id of a request's {@code traceparent} header (names compared ignoring case), when present and valid. */
    public static Optional<String> traceId(java.util.Map<String, String> headers) {
        if (headers == null) {
            return Optional.empty();
        }
        for (var header : headers.entrySet()) {
            if (header.getKey() != null && header.getKey().equalsIgnoreCase(HEADER)) {
                return traceId(header.getValue());
            }
        }
        return Optional.empty();
    }

    /** A header value for an outgoing request in {@code traceId}: a fresh parent (span) id, sampled. */
    public static String header(String traceId) {
        if (!isValidTraceId(traceId)) {
            throw new IllegalArgumentException("not a trace id");
        }
        return "00-" + traceId + "-" + randomHex(8) + "-01";
    }
}
