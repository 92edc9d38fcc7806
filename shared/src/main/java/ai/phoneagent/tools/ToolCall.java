package ai.phoneagent.tools;

import com.fasterxml.jackson.databind.JsonNode;

/** One function call of the model: OpenAI's {@code call_id} for it, the tool's name, its parsed arguments (an object). */
public record ToolCall(String id, String name, JsonNode arguments) {
}
