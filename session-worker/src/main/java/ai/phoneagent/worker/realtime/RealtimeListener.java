package ai.phoneagent.worker.realtime;

/**
 * Receives what happens on one call's WebSocket, in order, on the connection's event loop thread: that thread serves
 * many other sockets too, so hand work on and never block.
 */
public interface RealtimeListener {
    /** The socket is open; client events may be sent now. */
    void onOpen(RealtimeConnection connection);

    /** A text frame. */
    void onMessage(String text);

    /** The socket is gone; called once per connection. */
    void onDisconnect(Disconnect disconnect);
}
