package ai.phoneagent.control.api;

/** The {@code error.code} values the control API answers with (see the module README for when each is used). */
public final class ErrorCode {
    public static final String UNAUTHORIZED = "unauthorized";
    public static final String CONTROL_NOT_CONFIGURED = "control_not_configured";
    public static final String NOT_FOUND = "not_found";
    public static final String METHOD_NOT_ALLOWED = "method_not_allowed";
    public static final String INVALID_REQUEST = "invalid_request";
    public static final String PAYLOAD_TOO_LARGE = "payload_too_large";
    public static final String INVALID_CURSOR = "invalid_cursor";
    public static final String CALL_NOT_FOUND = "call_not_found";
    public static final String CALL_ENDED = "call_ended";
    public static final String CALL_NOT_READY = "call_not_ready";
    public static final String INVALID_TRANSFER_TARGET = "invalid_transfer_target";
    public static final String UNKNOWN_TARGET = "unknown_target";
    public static final String TRANSFER_IN_PROGRESS = "transfer_in_progress";
    public static final String COMMAND_NOT_FOUND = "command_not_found";
    public static final String IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused";
    public static final String WORKER_UNAVAILABLE = "worker_unavailable";
    public static final String UPSTREAM_ERROR = "upstream_error";
    public static final String FORBIDDEN = "forbidden";
    public static final String TWILIO_NOT_CONFIGURED = "twilio_not_configured";
    public static final String CALL_EVENTS_NOT_CONFIGURED = "call_events_not_configured";
    public static final String SERVICE_UNAVAILABLE = "service_unavailable";
    /** DynamoDB failed or did not answer within the request's bound. */
    public static final String STORE_UNAVAILABLE = "store_unavailable";
    /** SQS failed or did not answer within the request's bound. */
    public static final String QUEUE_UNAVAILABLE = "queue_unavailable";
    public static final String INTERNAL_ERROR = "internal_error";

    private ErrorCode() {
    }
}
