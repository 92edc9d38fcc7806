package ai.phoneagent.call;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** Something that happened on a call that is not a turn: a tool call, a transfer, a DTMF digit, an error. */
public record CallEvent(String id, String kind, JsonNode details, Instant ts) {
}
