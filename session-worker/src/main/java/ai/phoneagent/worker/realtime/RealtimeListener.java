package ai.phoneagent.worker.realtime;

/** Receives what happens on one call's WebSocket; called from the socket's reader thread, so keep it quick. */
public interface RealtimeListener {
    /** The socket is open; client events may be sent now. */
    void onOpen(RealtimeConnection connection);

    /** A text frame. */
    void onMessage(String text);

    /** The socket is gone; called once per connection. */
    void onDisconnect(Disconnect disconnect);
}
