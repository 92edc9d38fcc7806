package ai.phoneagent.control.outbound;

/** The {@code error.code} values of the outbound routes (besides the common ones in {@code ErrorCode}). */
public final class OutboundCodes {
    public static final String INVALID_LAUNCH_ID = "invalid_launch_id";
    public static final String INVALID_TARGET = "invalid_target";
    public static final String OUTBOUND_NOT_CONFIGURED = "outbound_not_configured";
    public static final String DESTINATION_NOT_ALLOWED = "destination_not_allowed";
    public static final String DESTINATION_RECENTLY_CALLED = "destination_recently_called";
    public static final String CONCURRENCY_LIMIT = "outbound_concurrency_limit";
    public static final String QUIET_HOURS = "quiet_hours";
    public static final String TWILIO_REJECTED = "twilio_rejected";
    public static final String TWILIO_UNAVAILABLE = "twilio_unavailable";
    public static final String LAUNCH_NOT_FOUND = "launch_not_found";
    public static final String TEMPLATE_NOT_FOUND = "template_not_found";
    public static final String TEMPLATE_EXISTS = "template_exists";

    private OutboundCodes() {
    }
}
