package ai.phoneagent.worker.realtime;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Parses the call WebSocket's text frames into {@link ServerEvent}s; never throws. */
public final class ServerEvents {
    private ServerEvents() {
    }

    public static ServerEvent parse(String text) {
        JsonNode node;
        try {
            node = Json.parse(text);
        } catch (Exception e) {
            return new ServerEvent.Malformed("not JSON");
        }
        if (node == null || !node.isObject()) {
            return new ServerEvent.Malformed("not a JSON object");
        }
        String type = Json.text(node, "type");
        if (type == null) {
            return new ServerEvent.Malformed("no type");
        }
        return switch (type) {
            case "session.created", "session.updated" -> new ServerEvent.SessionUpdated(type);
            case "conversation.item.input_audio_transcription.delta" ->
                    new ServerEvent.CallerTranscriptDelta(text(node, "item_id"), text(node, "delta"));
            case "conversation.item.input_audio_transcription.completed" ->
                    new ServerEvent.CallerTranscriptCompleted(text(node, "item_id"), text(node, "transcript"));
            case "conversation.item.input_audio_transcription.failed" ->
                    new ServerEvent.CallerTranscriptFailed(text(node, "item_id"), node.path("error"));
            // GA names first, then the beta-era synonyms older deployments still send
            case "response.output_audio_transcript.delta", "response.audio_transcript.delta",
                 "response.output_text.delta", "response.text.delta" ->
                    new ServerEvent.AgentTranscriptDelta(text(node, "response_id"), text(node, "item_id"), text(node, "delta"));
            case "response.output_audio_transcript.done", "response.audio_transcript.done" ->
                    new ServerEvent.AgentTranscriptDone(text(node, "response_id"), text(node, "item_id"), text(node, "transcript"));
            case "response.output_text.done", "response.text.done" ->
                    new ServerEvent.AgentTranscriptDone(text(node, "response_id"), text(node, "item_id"), text(node, "text"));
            case "response.function_call_arguments.done" -> new ServerEvent.FunctionCallArgumentsDone(
                    new FunctionCall(text(node, "call_id"), text(node, "name"), arguments(node)));
            case "response.output_item.done" ->
                    new ServerEvent.OutputItemDone(text(node, "response_id"), functionCall(node.path("item")));
            case "response.created" -> new ServerEvent.ResponseCreated(text(node.path("response"), "id"));
            case "response.done" -> responseDone(node.path("response"));
            case "input_audio_buffer.dtmf_event_received" ->
                    new ServerEvent.Dtmf(node.path("event").asText(""), node.path("received_at").asLong(0));
            case "input_audio_buffer.speech_started" ->
                    new ServerEvent.SpeechStarted(node.path("audio_start_ms").asLong(0));
            case "error" -> {
                JsonNode error = node.path("error");
                yield new ServerEvent.Error(text(error, "type"), text(error, "code"), text(error, "message"),
                        text(error, "event_id"));
            }
            default -> new ServerEvent.Unknown(type);
        };
    }

    private static ServerEvent responseDone(JsonNode response) {
        List<FunctionCall> calls = new ArrayList<>();
        for (JsonNode item : response.path("output")) {
            FunctionCall call = functionCall(item);
            if (call != null) {
                calls.add(call);
            }
        }
        return new ServerEvent.ResponseDone(text(response, "id"), text(response, "status"), calls);
    }

    /** The function call an output item describes, or null when it is not one. */
    private static FunctionCall functionCall(JsonNode item) {
        if (item == null || !"function_call".equals(text(item, "type")) || text(item, "call_id") == null) {
            return null;
        }
        return new FunctionCall(text(item, "call_id"), text(item, "name"), arguments(item));
    }

    /** Arguments arrive as JSON text; tolerate an object too. */
    private static String arguments(JsonNode node) {
        JsonNode args = node.get("arguments");
        if (args == null || args.isNull()) {
            return "{}";
        }
        return args.isTextual() ? args.asText() : Json.write(args);
    }

    private static String text(JsonNode node, String field) {
        return Json.text(node, field);
    }
}
