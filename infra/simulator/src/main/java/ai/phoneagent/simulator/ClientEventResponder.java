package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers client events like the Realtime API: {@code session.update} → {@code session.updated},
 * {@code conversation.item.create} → {@code conversation.item.created}, {@code response.create} → the model
 * speaks, bad JSON or unknown types → {@code error}. Every parsed event is recorded after its answer is sent,
 * so a scenario waiting for it resumes only once the answer is out.
 */
final class ClientEventResponder {
    /** {@code Say exactly '<text>' now.}: the text may itself contain apostrophes. */
    private static final Pattern SAY_EXACTLY_NOW =
            Pattern.compile("(?is)say\\s+exactly\\s*:?\\s*['\"\u2018\u201c](.*?)['\"\u2019\u201d]\\s*now\\b");
    private static final Pattern SAY_EXACTLY =
            Pattern.compile("(?is)say\\s+exactly\\s*:?\\s*['\"\u2018\u201c](.*)['\"\u2019\u201d]");
    private static final int TOOL_OUTPUT_LIMIT = 160;
    private static final Set<String> ACCEPTED_QUIETLY = Set.of("input_audio_buffer.append", "input_audio_buffer.commit",
            "input_audio_buffer.clear", "output_audio_buffer.clear", "conversation.item.retrieve",
            "conversation.item.truncate", "conversation.item.delete", "response.cancel");
    private static final String SUPPORTED = "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit',"
            + " 'input_audio_buffer.clear', 'output_audio_buffer.clear', 'conversation.item.create',"
            + " 'conversation.item.retrieve', 'conversation.item.truncate', 'conversation.item.delete',"
            + " 'response.create' and 'response.cancel'";

    void onText(CallRuntime call, AttachedSocket connection, String text) {
        ServerEventBuilder events = call.events();
        JsonNode event;
        try {
            event = Json.parse(text);
        } catch (JsonProcessingException e) {
            event = null;
        }
        if (event == null || !event.isObject()) {
            call.recordInvalidMessage(text);
            connection.send(events.clientError("invalid_json",
                    "The server failed to parse the client event: expected a JSON object.", null, null));
            return;
        }
        String type = Json.text(event, "type");
        if (type == null) {
            connection.send(events.clientError("missing_required_parameter",
                    "Missing required parameter: 'type'.", "type", event));
        } else {
            switch (type) {
                case "session.update" -> sessionUpdate(call, connection, event);
                case "conversation.item.create" -> itemCreate(call, connection, event);
                case "response.create" -> speak(call, connection, event);
                default -> {
                    if (!ACCEPTED_QUIETLY.contains(type)) {
                        connection.send(events.clientError("invalid_value", "Invalid value: '" + type
                                + "'. Supported values are: " + SUPPORTED + ".", "type", event));
                    }
                }
            }
        }
        call.recordClientEvent(event);
    }

    private static void sessionUpdate(CallRuntime call, AttachedSocket connection, JsonNode event) {
        JsonNode session = event.get("session");
        SessionRules.Problem problem = SessionRules.check(session, "session.");
        if (problem == null && call.modelHasSpoken()) {
            JsonNode voice = session.path("audio").path("output").path("voice");
            String current = call.session().path("audio").path("output").path("voice").asText("");
            if (voice.isTextual() && !voice.asText().equals(current)) {
                problem = new SessionRules.Problem("Cannot update a conversation's voice if assistant audio is present.",
                        "session.audio.output.voice", "cannot_update_voice");
            }
        }
        if (problem != null) {
            connection.send(call.events().clientError(problem.code(), problem.message(), problem.param(), event));
            return;
        }
        connection.send(call.events().sessionEvent("session.updated", call.updateSession(session)));
    }

    private static void itemCreate(CallRuntime call, AttachedSocket connection, JsonNode event) {
        if (!(event.get("item") instanceof ObjectNode item)) {
            connection.send(call.events().clientError("missing_required_parameter",
                    "Missing required parameter: 'item'.", "item", event));
            return;
        }
        if ("function_call_output".equals(Json.text(item, "type"))) {
            if (Json.text(item, "call_id") == null || Json.text(item, "output") == null) {
                String missing = Json.text(item, "call_id") == null ? "item.call_id" : "item.output";
                connection.send(call.events().clientError("missing_required_parameter",
                        "Missing required parameter: '" + missing + "'.", missing, event));
                return;
            }
            call.toolOutput(Json.text(item, "output"));
        }
        connection.send(call.events().itemCreated(item));
    }

    private static void speak(CallRuntime call, AttachedSocket connection, JsonNode event) {
        String reply = replyFor(event, call.takeToolOutput());
        call.modelSpoke();
        for (ObjectNode out : call.events().agentSpeech(reply, false)) {
            connection.send(out);
        }
    }

    /** What the simulated model says for a {@code response.create}. */
    static String replyFor(JsonNode responseCreate, String toolOutput) {
        String instructions = Json.text(responseCreate.path("response"), "instructions");
        if (instructions != null) {
            for (Pattern pattern : new Pattern[] {SAY_EXACTLY_NOW, SAY_EXACTLY}) {
                Matcher quoted = pattern.matcher(instructions);
                if (quoted.find()) {
                    return quoted.group(1);
                }
            }
        }
        if (toolOutput != null) {
            String trimmed = toolOutput.strip();
            return "Tool result: " + (trimmed.length() > TOOL_OUTPUT_LIMIT
                    ? trimmed.substring(0, TOOL_OUTPUT_LIMIT) + "…" : trimmed);
        }
        return instructions != null ? "Okay." : "How can I help you today?";
    }
}
