package ai.phoneagent.worker.summary;

import ai.phoneagent.call.CallSummary;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * The JSON schema the model answers in (strict: every field required, nothing else allowed), and the check that an
 * answer really follows it: a model's output is input like any other.
 */
public final class SummarySchema {
    public static final String NAME = "call_summary";
    public static final List<String> OUTCOMES = List.of("resolved", "partially_resolved", "unresolved", "transferred",
            "abandoned");
    public static final List<String> SENTIMENTS = List.of("positive", "neutral", "negative", "mixed");
    static final int MAX_TEXT = 2_000;

    private SummarySchema() {
    }

    /** The {@code schema} of {@code text.format}. */
    public static ObjectNode schema() {
        ObjectNode schema = Json.object().put("type", "object").put("additionalProperties", false);
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("summary").put("type", "string")
                .put("description", "Two or three sentences: what the call was about and how it ended.");
        properties.putObject("reason").put("type", "string")
                .put("description", "Why the caller called, in a few words.");
        ObjectNode outcome = properties.putObject("outcome").put("type", "string")
                .put("description", "How the call ended for the caller.");
        OUTCOMES.forEach(outcome.putArray("enum")::add);
        properties.putObject("follow_up_needed").put("type", "boolean")
                .put("description", "True when someone at the business must do something after this call.");
        properties.putObject("follow_up").put("type", "string")
                .put("description", "What must be done, by whom if known; empty when nothing is needed.");
        ObjectNode sentiment = properties.putObject("sentiment").put("type", "string")
                .put("description", "The caller's overall mood.");
        SENTIMENTS.forEach(sentiment.putArray("enum")::add);
        var required = schema.putArray("required");
        List.of("summary", "reason", "outcome", "follow_up_needed", "follow_up", "sentiment").forEach(required::add);
        return schema;
    }

    /** The answer's fields when it follows the schema exactly (types, enums, lengths); empty otherwise. */
    public static Optional<CallSummary.Fields> read(JsonNode answer) {
        if (answer == null || !answer.isObject() || answer.size() != 6) {
            return Optional.empty();
        }
        JsonNode summary = answer.get("summary");
        JsonNode reason = answer.get("reason");
        JsonNode outcome = answer.get("outcome");
        JsonNode followUpNeeded = answer.get("follow_up_needed");
        JsonNode followUp = answer.get("follow_up");
        JsonNode sentiment = answer.get("sentiment");
        if (!text(summary) || summary.asText().isBlank() || !text(reason) || !text(followUp)
                || outcome == null || !OUTCOMES.contains(outcome.asText()) || !outcome.isTextual()
                || sentiment == null || !SENTIMENTS.contains(sentiment.asText()) || !sentiment.isTextual()
                || followUpNeeded == null || !followUpNeeded.isBoolean()) {
            return Optional.empty();
        }
        return Optional.of(new CallSummary.Fields(summary.asText().strip(), reason.asText().strip(), outcome.asText(),
                followUpNeeded.asBoolean(), followUp.asText().strip(), sentiment.asText()));
    }

    private static boolean text(JsonNode node) {
        return node != null && node.isTextual() && node.asText().length() <= MAX_TEXT;
    }
}
