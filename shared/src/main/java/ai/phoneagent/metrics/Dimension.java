package ai.phoneagent.metrics;

import java.util.Locale;

/**
 * The dimensions a metric may carry besides {@code Service}. Each one's values are bounded by the code (an enum, a
 * configured name, a fixed set of reasons): a call id, a number or free text never becomes a dimension, because
 * every distinct value is a separately billed CloudWatch metric. Call ids go in as properties.
 */
public enum Dimension {
    /** {@code inbound} or {@code outbound}. */
    CALL_DIRECTION("CallDirection"),
    /** How something ended: a wire code such as {@code queued}, {@code done}, {@code failed}. */
    OUTCOME("Outcome"),
    /** Why: a rejection, end or failure code. */
    REASON("Reason"),
    /** A tool's registered name (configured, so bounded). */
    TOOL("Tool"),
    /** An operator command's type. */
    COMMAND_TYPE("CommandType"),
    /** A call-event type ({@code call.started}, …). */
    EVENT_TYPE("EventType");

    /** The dimension every metric carries, naming the emitting part ({@link MetricSource}). */
    public static final String SERVICE = "Service";
    /** Longer values are cut: a guard against a code path passing free text by mistake. */
    static final int MAX_VALUE_LENGTH = 64;

    private final String key;

    Dimension(String key) {
        this.key = key;
    }

    /** The dimension's name in CloudWatch. */
    public String key() {
        return key;
    }

    /**
     * A value as it is emitted: lower case, characters other than letters, digits, {@code . _ -} become {@code _},
     * at most {@value #MAX_VALUE_LENGTH} characters; blank is {@code none}.
     */
    public static String normalise(String raw) {
        if (raw == null || raw.isBlank()) {
            return "none";
        }
        String text = raw.strip().toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_VALUE_LENGTH));
        for (int i = 0; i < text.length() && out.length() < MAX_VALUE_LENGTH; i++) {
            char c = text.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            out.append(plain ? c : '_');
        }
        return out.toString();
    }
}
