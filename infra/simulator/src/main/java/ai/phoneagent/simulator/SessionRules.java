package ai.phoneagent.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The checks OpenAI applies to a SIP session config (accept body, {@code session.update}). */
final class SessionRules {
    /** Why a session config was refused, in OpenAI's error vocabulary. */
    record Problem(String message, String param, String code) {
    }

    private static final List<String> FORBIDDEN_TURN_DETECTION = List.of("threshold", "prefix_padding_ms",
            "silence_duration_ms");

    private SessionRules() {
    }

    /** Problem with a session object, or null when OpenAI would take it. */
    static Problem check(JsonNode session, String prefix) {
        if (session == null || !session.isObject()) {
            return new Problem("We could not parse the JSON body of your request. (HINT: This likely means you"
                    + " aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)", null, null);
        }
        JsonNode type = session.get("type");
        if (type == null || type.isNull()) {
            return new Problem("Missing required parameter: '" + prefix + "type'.", prefix + "type",
                    "missing_required_parameter");
        }
        if (!type.isTextual() || !type.asText().equals("realtime")) {
            return new Problem("Invalid value: '" + type.asText() + "'. Supported values are: 'realtime'.",
                    prefix + "type", "invalid_value");
        }
        for (String direction : List.of("input", "output")) {
            if (session.path("audio").path(direction).has("format")) {
                return unknown(prefix + "audio." + direction + ".format");
            }
        }
        Problem turn = turnDetection(session.path("audio").path("input").path("turn_detection"),
                prefix + "audio.input.turn_detection.");
        if (turn != null) {
            return turn;
        }
        return turnDetection(session.path("turn_detection"), prefix + "turn_detection.");
    }

    private static Problem turnDetection(JsonNode turnDetection, String path) {
        for (String field : FORBIDDEN_TURN_DETECTION) {
            if (turnDetection.has(field)) {
                return unknown(path + field);
            }
        }
        return null;
    }

    private static Problem unknown(String param) {
        return new Problem("Unknown parameter: '" + param + "'.", param, "unknown_parameter");
    }
}
