package ai.phoneagent.call;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Locale;

/**
 * A call's post-call summary as stored on its item ({@code summaryStatus} plus the {@code summary} JSON): where it
 * stands, and once {@code done} what the model found. Written only after the call ended, never on its path.
 *
 * @param status   pending (being made), done, failed (gave up; {@code error} says why) or skipped (nothing was said)
 * @param fields   what the model answered; null unless {@code done}
 * @param model    the model asked
 * @param at       when it settled (null while pending)
 * @param error    a short code and reason when {@code failed} or {@code skipped}
 * @param attempts requests made to the model
 */
public record CallSummary(Status status, Fields fields, String model, Instant at, String error, int attempts) {

    public enum Status {
        PENDING, DONE, FAILED, SKIPPED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Status fromWire(String wire) {
            for (Status s : values()) {
                if (s.wireName().equals(wire)) {
                    return s;
                }
            }
            return null;
        }

        /** Nothing more will happen to it. */
        public boolean settled() {
            return this != PENDING;
        }
    }

    /**
     * The structured answer, in the JSON schema's terms ({@code summary}, {@code reason}, {@code outcome},
     * {@code follow_up_needed}, {@code follow_up}, {@code sentiment}).
     */
    public record Fields(String summary, String reason, String outcome, boolean followUpNeeded, String followUp,
                         String sentiment) {
    }

    public static CallSummary pending(String model) {
        return new CallSummary(Status.PENDING, null, model, null, null, 0);
    }

    /** The stored JSON (snake_case, as in {@code call.ended}). */
    public ObjectNode toJson() {
        ObjectNode out = Json.object().put("status", status.wireName());
        if (fields != null) {
            out.put("summary", fields.summary()).put("reason", fields.reason()).put("outcome", fields.outcome())
                    .put("follow_up_needed", fields.followUpNeeded()).put("follow_up", fields.followUp())
                    .put("sentiment", fields.sentiment());
        }
        out.put("model", model);
        out.put("created_at", at == null ? null : at.toString());
        out.put("error", error);
        out.put("attempts", attempts);
        return out;
    }

    /** The summary stored under {@code status}; tolerant of a missing or damaged JSON (status only). */
    static CallSummary fromStored(String status, String json) {
        Status parsed = Status.fromWire(status);
        if (parsed == null) {
            return null;
        }
        JsonNode node;
        try {
            node = json == null ? Json.object() : Json.parse(json);
        } catch (Exception e) {
            node = Json.object();
        }
        Fields fields = node.hasNonNull("summary") ? new Fields(Json.text(node, "summary"), Json.text(node, "reason"),
                Json.text(node, "outcome"), node.path("follow_up_needed").asBoolean(false), Json.text(node, "follow_up"),
                Json.text(node, "sentiment")) : null;
        Instant at;
        try {
            at = node.hasNonNull("created_at") ? Instant.parse(node.get("created_at").asText()) : null;
        } catch (RuntimeException e) {
            at = null;
        }
        return new CallSummary(parsed, parsed == Status.DONE ? fields : null, Json.text(node, "model"), at,
                Json.text(node, "error"), node.path("attempts").asInt(0));
    }
}
