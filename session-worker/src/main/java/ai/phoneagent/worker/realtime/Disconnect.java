package ai.phoneagent.worker.realtime;

/** How a call's WebSocket ended (or failed to open). */
public sealed interface Disconnect {
    /** The peer sent a close frame. */
    record Closed(int code, String reason) implements Disconnect {
    }

    /**
     * The socket failed: no close frame, an I/O error, or a refused upgrade. {@code httpStatus} is the refused
     * upgrade's status (404: the call is over), or 0 when there was no HTTP response.
     */
    record Failed(int httpStatus, String error) implements Disconnect {
    }

    /** True when OpenAI refused the attach because the call no longer exists. */
    default boolean callGone() {
        return this instanceof Failed f && f.httpStatus() == 404;
    }
}
