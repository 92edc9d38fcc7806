package ai.phoneagent.simulator.scenario;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns scenario JSON into {@link Scenario}; rejects unknown step kinds and misspelt keys with the step's index. */
final class ScenarioParser {
    /** Step kind key, and the other keys that kind accepts. */
    private static final Map<String, Set<String>> KINDS = Map.ofEntries(
            Map.entry("caller", Set.of()),
            Map.entry("agent", Set.of("beta")),
            Map.entry("function_call", Set.of()),
            Map.entry("dtmf", Set.of()),
            Map.entry("error", Set.of()),
            Map.entry("transcription_failed", Set.of("message")),
            Map.entry("unknown", Set.of("fields")),
            Map.entry("event", Set.of()),
            Map.entry("repeat_last", Set.of()),
            Map.entry("await", Set.of("timeout_ms")),
            Map.entry("hangup", Set.of("close_frame")),
            Map.entry("drop", Set.of("close_frame")),
            Map.entry("pause_ms", Set.of()));

    private ScenarioParser() {
    }

    static Scenario parse(String json, String fallbackName) {
        JsonNode root;
        try {
            root = Json.parse(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("scenario '" + fallbackName + "' is not valid JSON: "
                    + e.getOriginalMessage());
        }
        JsonNode stepsNode;
        String name = stripJson(fallbackName);
        String description = "";
        if (root.isArray()) {
            stepsNode = root;
        } else if (root.isObject()) {
            name = root.path("name").asText(name);
            description = root.path("description").asText("");
            stepsNode = root.path("steps");
            if (!stepsNode.isArray()) {
                throw new IllegalArgumentException("scenario '" + name + "' needs a \"steps\" array");
            }
        } else {
            throw new IllegalArgumentException("scenario '" + fallbackName + "' must be an object or an array of steps");
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < stepsNode.size(); i++) {
            steps.add(step(stepsNode.get(i), name, i));
        }
        return new Scenario(name, description, steps);
    }

    private static Step step(JsonNode node, String scenario, int index) {
        String where = "scenario '" + scenario + "' step " + index;
        if (!node.isObject() || node.isEmpty()) {
            throw new IllegalArgumentException(where + ": a step is a non-empty JSON object");
        }
        List<String> kinds = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String key = names.next();
            if (KINDS.containsKey(key)) {
                kinds.add(key);
            }
        }
        if (kinds.size() != 1) {
            throw new IllegalArgumentException(where + ": expected exactly one of " + KINDS.keySet()
                    + " but found " + kinds);
        }
        String kind = kinds.getFirst();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String key = names.next();
            if (!key.equals(kind) && !KINDS.get(kind).contains(key)) {
                throw new IllegalArgumentException(where + ": '" + kind + "' step does not take '" + key + "'");
            }
        }
        JsonNode value = node.get(kind);
        try {
            return switch (kind) {
                case "caller" -> new Step.Caller(text(value, kind));
                case "agent" -> new Step.Agent(text(value, kind), node.path("beta").asBoolean(false));
                case "function_call" -> functionCall(value);
                case "dtmf" -> new Step.Dtmf(value.isNumber() ? value.asText() : text(value, kind));
                case "error" -> new Step.ErrorEvent(object(value, kind));
                case "transcription_failed" -> new Step.TranscriptionFailed(
                        value.isTextual() ? value.asText() : node.path("message").asText(null));
                case "unknown" -> new Step.Unknown(text(value, kind),
                        node.has("fields") ? object(node.get("fields"), "fields") : null);
                case "event" -> new Step.Raw(object(value, kind));
                case "repeat_last" -> new Step.RepeatLast();
                case "await" -> new Step.Await(new AwaitTarget(text(value, kind)),
                        node.has("timeout_ms") ? Duration.ofMillis(node.get("timeout_ms").asLong()) : null);
                case "hangup" -> new Step.Hangup(node.path("close_frame").asBoolean(true));
                case "drop" -> new Step.Drop(node.path("close_frame").asBoolean(false));
                case "pause_ms" -> new Step.Pause(Duration.ofMillis(value.asLong()));
                default -> throw new IllegalStateException("unhandled kind " + kind);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static Step.FunctionCall functionCall(JsonNode value) {
        ObjectNode spec = object(value, "function_call");
        String name = text(spec.get("name"), "function_call.name");
        JsonNode arguments = spec.get("arguments");
        String argumentsText = arguments == null || arguments.isNull() ? "{}"
                : arguments.isTextual() ? arguments.asText() : Json.write(arguments);
        return new Step.FunctionCall(name, argumentsText, spec.path("call_id").asText(null));
    }

    private static String text(JsonNode value, String what) {
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("'" + what + "' must be a string");
        }
        return value.asText();
    }

    private static ObjectNode object(JsonNode value, String what) {
        if (!(value instanceof ObjectNode object)) {
            throw new IllegalArgumentException("'" + what + "' must be an object");
        }
        return object;
    }

    private static String stripJson(String name) {
        return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }
}
