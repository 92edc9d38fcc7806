package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.ws.ServerWebSocket;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The simulator's side of one Realtime WebSocket a client attached to a call. */
final class AttachedSocket {
    static final int CALL_ENDED = 1000;
    /** Server events that carry one finished transcript line (the caller's or the model's). */
    private static final String[] TRANSCRIPT_LINE_TYPES = {
        "\"type\":\"conversation.item.input_audio_transcription.completed\"",
        "\"type\":\"response.output_audio_transcript.done\"",
        "\"type\":\"response.audio_transcript.done\""};
    private final int number;
    private final ServerWebSocket socket;
    private final Runnable onTranscriptLine;

    AttachedSocket(int number, ServerWebSocket socket, Runnable onTranscriptLine) {
        this.number = number;
        this.socket = socket;
        this.onTranscriptLine = onTranscriptLine;
    }

    int number() {
        return number;
    }

    boolean send(ObjectNode event) {
        return sendText(Json.write(event));
    }

    boolean sendText(String text) {
        boolean sent = socket.send(text);
        if (sent && isTranscriptLine(text)) {
            onTranscriptLine.run();
        }
        return sent;
    }

    /** Closes with a close frame, or drops the TCP connection without one. */
    void close(boolean closeFrame, String reason) {
        if (closeFrame) {
            socket.close(CALL_ENDED, reason);
        } else {
            socket.cancel();
        }
    }

    /** The socket goes silent without closing (true), or goes on (false). */
    void stall(boolean stall) {
        socket.stall(stall);
    }

    private static boolean isTranscriptLine(String text) {
        for (String type : TRANSCRIPT_LINE_TYPES) {
            if (text.contains(type)) {
                return true;
            }
        }
        return false;
    }
}
