package ai.phoneagent.worker.realtime;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Parses the call WebSocket's text frames into {@link ServerEvent}s; never throws. */
public final class ServerEvents {
    /**
     * The top-level fields any event below is read from. Only these become a tree; the rest is skipped as it streams
     * past (still checked to be JSON), e.g. the whole session of {@code session.created}, a response's usage.
     */
    private static final Set<String> READ = Set.of("type", "item_id", "delta", "transcript", "error", "response_id",
            "text", "call_id", "name", "arguments", "item", "response", "event", "received_at", "audio_start_ms");

    private ServerEvents() {
    }

    public static ServerEvent parse(String text) {
        ObjectNode node;
        try {
            node = readFields(text);
        } catch (Exception e) {
            return new ServerEvent.Malformed("not JSON");
        }
        if (node == null) {
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

    /** The {@link #READ} fields of a JSON object; null when the text is JSON but not an object. */
    private static ObjectNode readFields(String text) throws IOException {
        try (JsonParser parser = Json.mapper().createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                parser.skipChildren(); // the value must still be JSON to be "not an object" rather than "not JSON"
                return null;
            }
            ObjectNode node = Json.object();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (READ.contains(name)) {
                    node.set(name, parser.readValueAsTree());
                } else {
                    parser.skipChildren();
                }
            }
            return node;
        }
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
