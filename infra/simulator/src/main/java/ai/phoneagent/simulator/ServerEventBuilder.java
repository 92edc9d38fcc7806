package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.scenario.Step;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds the server events of one call the way the Realtime API words them (GA names unless asked for beta). */
final class ServerEventBuilder {
    private static final int MAX_DELTAS = 3;
    private final Clock clock;
    private long audioMs;
    private String lastItemId;

    ServerEventBuilder(Clock clock) {
        this.clock = clock;
    }

    /** The events of one scripted step. */
    synchronized List<ObjectNode> forStep(Step.Emit step) {
        return switch (step) {
            case Step.Caller caller -> callerSpeech(caller.text());
            case Step.Agent agent -> agentSpeech(agent.text(), agent.beta());
            case Step.FunctionCall call -> functionCall(call);
            case Step.Dtmf dtmf -> dtmf(dtmf.digits());
            case Step.ErrorEvent error -> List.of(error(error.error()));
            case Step.TranscriptionFailed failed -> transcriptionFailed(failed.message());
            case Step.Unknown unknown -> {
                ObjectNode event = event(unknown.type());
                event.setAll(unknown.fields());
                yield List.of(event);
            }
            case Step.Raw raw -> {
                ObjectNode event = raw.event();
                if (!event.hasNonNull("event_id")) {
                    event.put("event_id", OpenAiIds.next("event"));
                }
                yield List.of(event);
            }
        };
    }

    ObjectNode event(String type) {
        ObjectNode event = Json.object();
        event.put("type", type);
        event.put("event_id", OpenAiIds.next("event"));
        return event;
    }

    ObjectNode sessionEvent(String type, ObjectNode session) {
        ObjectNode event = event(type);
        event.set("session", session.deepCopy());
        return event;
    }

    /** An {@code error} event; {@code fields} override the defaults (type, code, message, param, event_id). */
    ObjectNode error(ObjectNode fields) {
        ObjectNode error = Json.object();
        error.put("type", "invalid_request_error");
        error.putNull("code");
        error.put("message", "Simulated error.");
        error.putNull("param");
        error.putNull("event_id");
        error.setAll(fields);
        ObjectNode event = event("error");
        event.set("error", error);
        return event;
    }

    ObjectNode clientError(String code, String message, String param, JsonNode clientEvent) {
        ObjectNode fields = Json.object();
        fields.put("code", code);
        fields.put("message", message);
        fields.put("param", param);
        JsonNode clientEventId = clientEvent == null ? null : clientEvent.get("event_id");
        fields.set("event_id", clientEventId == null ? fields.nullNode() : clientEventId.deepCopy());
        return error(fields);
    }

    synchronized ObjectNode itemCreated(ObjectNode item) {
        ObjectNode created = item.deepCopy();
        if (!created.hasNonNull("id")) {
            created.put("id", OpenAiIds.next("item"));
        }
        created.put("object", "realtime.item");
        created.put("status", "completed");
        ObjectNode event = event("conversation.item.created");
        putNullable(event, "previous_item_id", lastItemId);
        event.set("item", created);
        lastItemId = created.get("id").asText();
        return event;
    }

    synchronized List<ObjectNode> callerSpeech(String text) {
        String itemId = OpenAiIds.next("item");
        List<ObjectNode> events = new ArrayList<>(speechStart(itemId, text));
        for (String delta : deltas(text)) {
            ObjectNode event = event("conversation.item.input_audio_transcription.delta");
            event.put("item_id", itemId);
            event.put("content_index", 0);
            event.put("delta", delta);
            events.add(event);
        }
        ObjectNode completed = event("conversation.item.input_audio_transcription.completed");
        completed.put("item_id", itemId);
        completed.put("content_index", 0);
        completed.put("transcript", text);
        events.add(completed);
        return events;
    }

    synchronized List<ObjectNode> transcriptionFailed(String message) {
        String itemId = OpenAiIds.next("item");
        List<ObjectNode> events = new ArrayList<>(speechStart(itemId, "inaudible"));
        ObjectNode error = Json.object();
        error.put("type", "transcription_error");
        error.put("code", "audio_unintelligible");
        error.put("message", message == null ? "Audio could not be transcribed." : message);
        error.putNull("param");
        ObjectNode failed = event("conversation.item.input_audio_transcription.failed");
        failed.put("item_id", itemId);
        failed.put("content_index", 0);
        failed.set("error", error);
        events.add(failed);
        return events;
    }

    synchronized List<ObjectNode> agentSpeech(String text, boolean beta) {
        String responseId = OpenAiIds.next("resp");
        String itemId = OpenAiIds.next("item");
        String prefix = beta ? "response.audio_transcript" : "response.output_audio_transcript";
        List<ObjectNode> events = new ArrayList<>();
        events.add(responseCreated(responseId));
        ObjectNode inProgress = messageItem(itemId, "in_progress", null, beta);
        events.add(outputItem("response.output_item.added", responseId, inProgress));
        for (String delta : deltas(text)) {
            ObjectNode event = event(prefix + ".delta");
            transcriptFields(event, responseId, itemId);
            event.put("delta", delta);
            events.add(event);
        }
        ObjectNode done = event(prefix + ".done");
        transcriptFields(done, responseId, itemId);
        done.put("transcript", text);
        events.add(done);
        ObjectNode item = messageItem(itemId, "completed", text, beta);
        events.add(outputItem("response.output_item.done", responseId, item));
        events.add(responseDone(responseId, item));
        lastItemId = itemId;
        return events;
    }

    synchronized List<ObjectNode> functionCall(Step.FunctionCall call) {
        String responseId = OpenAiIds.next("resp");
        String itemId = OpenAiIds.next("item");
        String callId = call.callId() != null ? call.callId() : OpenAiIds.next("call");
        List<ObjectNode> events = new ArrayList<>();
        events.add(responseCreated(responseId));
        events.add(outputItem("response.output_item.added", responseId,
                functionItem(itemId, "in_progress", call.name(), callId, "")));
        ObjectNode delta = event("response.function_call_arguments.delta");
        functionFields(delta, responseId, itemId, callId);
        delta.put("delta", call.arguments());
        events.add(delta);
        ObjectNode argumentsDone = event("response.function_call_arguments.done");
        functionFields(argumentsDone, responseId, itemId, callId);
        argumentsDone.put("name", call.name());
        argumentsDone.put("arguments", call.arguments());
        events.add(argumentsDone);
        ObjectNode item = functionItem(itemId, "completed", call.name(), callId, call.arguments());
        events.add(outputItem("response.output_item.done", responseId, item));
        events.add(responseDone(responseId, item));
        lastItemId = itemId;
        return events;
    }

    synchronized List<ObjectNode> dtmf(String digits) {
        List<ObjectNode> events = new ArrayList<>();
        for (char digit : digits.toCharArray()) {
            ObjectNode event = event("input_audio_buffer.dtmf_event_received");
            event.put("event", String.valueOf(digit));
            event.put("received_at", clock.instant().getEpochSecond());
            events.add(event);
        }
        return events;
    }

    private List<ObjectNode> speechStart(String itemId, String text) {
        long start = audioMs + 200;
        long end = start + 60L * Math.max(1, text.length());
        audioMs = end;
        ObjectNode started = event("input_audio_buffer.speech_started");
        started.put("audio_start_ms", start);
        started.put("item_id", itemId);
        ObjectNode stopped = event("input_audio_buffer.speech_stopped");
        stopped.put("audio_end_ms", end);
        stopped.put("item_id", itemId);
        ObjectNode committed = event("input_audio_buffer.committed");
        putNullable(committed, "previous_item_id", lastItemId);
        committed.put("item_id", itemId);
        lastItemId = itemId;
        return List.of(started, stopped, committed);
    }

    private ObjectNode responseCreated(String responseId) {
        ObjectNode response = Json.object();
        response.put("object", "realtime.response");
        response.put("id", responseId);
        response.put("status", "in_progress");
        response.putNull("status_details");
        response.putArray("output");
        response.putArray("output_modalities").add("audio");
        ObjectNode event = event("response.created");
        event.set("response", response);
        return event;
    }

    private ObjectNode responseDone(String responseId, ObjectNode item) {
        ObjectNode response = Json.object();
        response.put("object", "realtime.response");
        response.put("id", responseId);
        response.put("status", "completed");
        response.putNull("status_details");
        ArrayNode output = response.putArray("output");
        output.add(item.deepCopy());
        response.putArray("output_modalities").add("audio");
        ObjectNode usage = response.putObject("usage");
        usage.put("total_tokens", 42);
        usage.put("input_tokens", 30);
        usage.put("output_tokens", 12);
        ObjectNode event = event("response.done");
        event.set("response", response);
        return event;
    }

    private ObjectNode outputItem(String type, String responseId, ObjectNode item) {
        ObjectNode event = event(type);
        event.put("response_id", responseId);
        event.put("output_index", 0);
        event.set("item", item.deepCopy());
        return event;
    }

    private static ObjectNode messageItem(String itemId, String status, String transcript, boolean beta) {
        ObjectNode item = Json.object();
        item.put("id", itemId);
        item.put("object", "realtime.item");
        item.put("type", "message");
        item.put("status", status);
        item.put("role", "assistant");
        ArrayNode content = item.putArray("content");
        if (transcript != null) {
            ObjectNode part = content.addObject();
            part.put("type", beta ? "audio" : "output_audio");
            part.put("transcript", transcript);
        }
        return item;
    }

    private static ObjectNode functionItem(String itemId, String status, String name, String callId, String arguments) {
        ObjectNode item = Json.object();
        item.put("id", itemId);
        item.put("object", "realtime.item");
        item.put("type", "function_call");
        item.put("status", status);
        item.put("name", name);
        item.put("call_id", callId);
        item.put("arguments", arguments);
        return item;
    }

    private static void transcriptFields(ObjectNode event, String responseId, String itemId) {
        event.put("response_id", responseId);
        event.put("item_id", itemId);
        event.put("output_index", 0);
        event.put("content_index", 0);
    }

    private static void functionFields(ObjectNode event, String responseId, String itemId, String callId) {
        event.put("response_id", responseId);
        event.put("item_id", itemId);
        event.put("output_index", 0);
        event.put("call_id", callId);
    }

    private static void putNullable(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    /** Splits text into at most three pieces on word boundaries; the pieces concatenate to the text. */
    static List<String> deltas(String text) {
        if (text.isEmpty()) {
            return List.of("");
        }
        String[] words = text.split("(?<=\\s)");
        int perChunk = Math.max(1, (int) Math.ceil(words.length / (double) MAX_DELTAS));
        List<String> chunks = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        for (int i = 0; i < words.length; i++) {
            chunk.append(words[i]);
            if ((i + 1) % perChunk == 0) {
                chunks.add(chunk.toString());
                chunk.setLength(0);
            }
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk.toString());
        }
        return chunks;
    }

    /** The session the simulator reports before any update: realistic SIP defaults. */
    static ObjectNode defaultSession(String model) {
        ObjectNode session = Json.object();
        session.put("type", "realtime");
        session.put("object", "realtime.session");
        session.put("id", OpenAiIds.next("sess"));
        session.put("model", model);
        session.putArray("output_modalities").add("audio");
        session.put("instructions", "");
        ObjectNode audio = session.putObject("audio");
        ObjectNode input = audio.putObject("input");
        input.putObject("format").put("type", "audio/pcmu");
        input.putNull("transcription");
        ObjectNode turnDetection = input.putObject("turn_detection");
        turnDetection.put("type", "server_vad");
        turnDetection.put("create_response", true);
        turnDetection.put("interrupt_response", true);
        ObjectNode output = audio.putObject("output");
        output.putObject("format").put("type", "audio/pcmu");
        output.put("voice", "alloy");
        output.put("speed", 1.0);
        session.putArray("tools");
        session.put("tool_choice", "auto");
        session.put("max_output_tokens", "inf");
        return session;
    }

    /** Deep-merges {@code patch} into {@code target} (objects merge; everything else replaces). */
    static void merge(ObjectNode target, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode existingObject && field.getValue().isObject()) {
                merge(existingObject, field.getValue());
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }
}
