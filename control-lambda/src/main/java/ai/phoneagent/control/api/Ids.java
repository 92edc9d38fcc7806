package ai.phoneagent.control.api;

import java.util.regex.Pattern;

/** Path and header values that become DynamoDB keys or queue names: validated before any I/O. */
public final class Ids {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");
    public static final int MAX_IDEMPOTENCY_KEY = 200;

    private Ids() {
    }

    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** The call id from a path, or 400 {@code invalid_request}. */
    public static String callId(String raw) {
        if (!isValidId(raw)) {
            throw ApiError.invalidRequest("Call id must be 1-64 letters, digits, - or _");
        }
        return raw;
    }

    /** The command id from a path, or 400 {@code invalid_request}. */
    public static String commandId(String raw) {
        if (!isValidId(raw)) {
            throw ApiError.invalidRequest("Command id must be 1-64 letters, digits, - or _");
        }
        return raw;
    }

    /**
     * The {@code Idempotency-Key} header: null when absent or blank; otherwise at most 200 printable ASCII characters
     * (surrounding spaces ignored), or 400 {@code invalid_request}.
     */
    public static String idempotencyKey(ApiRequest request) {
        String raw = request.header("idempotency-key").map(String::strip).orElse("");
        if (raw.isEmpty()) {
            return null;
        }
        if (raw.length() > MAX_IDEMPOTENCY_KEY) {
            throw ApiError.invalidRequest("Idempotency-Key must be at most " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw ApiError.invalidRequest("Idempotency-Key must be printable ASCII");
            }
        }
        return raw;
    }

    /** A whole-number query parameter within bounds, or its default; 400 {@code invalid_request} otherwise. */
    public static int intParam(ApiRequest request, String name, int defaultValue, int min, int max) {
        String raw = request.query(name).map(String::strip).orElse("");
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiError.invalidRequest("'" + name + "' must be a whole number from " + min + " to " + max);
    }
}
