package ai.phoneagent.tools;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What a tool gives back to the model: the {@code function_call_output} text, and whether it succeeded. */
public record ToolResult(boolean ok, String output) {
    /** A success whose output is a JSON object {@code {"ok":true,"message":…}}. */
    public static ToolResult success(String message) {
        ObjectNode node = Json.object().put("ok", true);
        if (message != null) {
            node.put("message", message);
        }
        return new ToolResult(true, Json.write(node));
    }

    /** A failure the model can say out loud: {@code {"ok":false,"error":…}}. */
    public static ToolResult error(String speakableError) {
        return new ToolResult(false, Json.write(Json.object().put("ok", false).put("error", speakableError)));
    }
}
