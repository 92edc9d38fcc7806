package ai.phoneagent.worker.realtime;

/** One open (or opening) call WebSocket. Thread-safe. */
public interface RealtimeConnection {
    /** Queues a text frame; false when the socket is closing or gone. */
    boolean send(String text);

    /** Starts a graceful close. */
    void close(int code, String reason);

    /** Drops the socket at once. */
    void cancel();
}
