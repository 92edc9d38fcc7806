package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.ws.ServerWebSocket;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One attached WebSocket of a call. */
final class RealtimeConnection {
    static final int CALL_ENDED = 1000;
    private final int number;
    private final ServerWebSocket socket;

    RealtimeConnection(int number, ServerWebSocket socket) {
        this.number = number;
        this.socket = socket;
    }

    int number() {
        return number;
    }

    boolean send(ObjectNode event) {
        return socket.send(Json.write(event));
    }

    boolean sendText(String text) {
        return socket.send(text);
    }

    /** Closes with a close frame, or drops the TCP connection without one. */
    void close(boolean closeFrame, String reason) {
        if (closeFrame) {
            socket.close(CALL_ENDED, reason);
        } else {
            socket.cancel();
        }
    }
}
