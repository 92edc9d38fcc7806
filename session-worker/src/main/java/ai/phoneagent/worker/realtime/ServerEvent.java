package ai.phoneagent.worker.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A server event of the call's Realtime WebSocket that the worker acts on; GA and beta names map to one variant. */
public sealed interface ServerEvent {
    /** {@code session.created} / {@code session.updated}. */
    record SessionUpdated(String type) implements ServerEvent {
    }

    /** Caller speech, partial ({@code conversation.item.input_audio_transcription.delta}); never stored. */
    record CallerTranscriptDelta(String itemId, String delta) implements ServerEvent {
    }

    /** Caller turn, final ({@code conversation.item.input_audio_transcription.completed}). */
    record CallerTranscriptCompleted(String itemId, String transcript) implements ServerEvent {
    }

    /** Transcription of a caller turn failed. */
    record CallerTranscriptFailed(String itemId, JsonNode error) implements ServerEvent {
    }

    /** Agent speech, partial ({@code response.output_audio_transcript.delta} and synonyms); never stored. */
    record AgentTranscriptDelta(String responseId, String itemId, String delta) implements ServerEvent {
    }

    /** Agent turn, final ({@code response.output_audio_transcript.done}, beta {@code response.audio_transcript.done}, {@code response.text.done}). */
    record AgentTranscriptDone(String responseId, String itemId, String transcript) implements ServerEvent {
    }

    /** {@code response.function_call_arguments.done}. */
    record FunctionCallArgumentsDone(FunctionCall call) implements ServerEvent {
    }

    /** {@code response.output_item.done}; carries a function call when the item is one. */
    record OutputItemDone(String responseId, FunctionCall functionCall) implements ServerEvent {
    }

    /** {@code response.done}, with any function calls listed in its output. */
    record ResponseDone(String responseId, String status, List<FunctionCall> functionCalls) implements ServerEvent {
        public ResponseDone {
            functionCalls = List.copyOf(functionCalls);
        }
    }

    /** {@code response.created}: the model started a response. */
    record ResponseCreated(String responseId) implements ServerEvent {
    }

    /** {@code input_audio_buffer.dtmf_event_received}: a keypad digit. */
    record Dtmf(String digit, long receivedAt) implements ServerEvent {
    }

    /** {@code input_audio_buffer.speech_started}. */
    record SpeechStarted(long audioStartMs) implements ServerEvent {
    }

    /** {@code error}: a client event was refused. */
    record Error(String errorType, String code, String message, String eventId) implements ServerEvent {
    }

    /** Any other event type: normal, ignored. */
    record Unknown(String type) implements ServerEvent {
    }

    /** Text that is not a JSON object with a {@code type}. */
    record Malformed(String reason) implements ServerEvent {
    }
}
