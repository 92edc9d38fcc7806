package ai.phoneagent.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A function tool as the Realtime session declares it: name, description, JSON-schema parameters. */
public record ToolDefinition(String name, String description, ObjectNode parameters) {
    /** The {@code {"type":"function",…}} object of the session's {@code tools} list. */
    public ObjectNode toSessionTool() {
        ObjectNode tool = ai.phoneagent.json.Json.object();
        tool.put("type", "function");
        tool.put("name", name);
        tool.put("description", description);
        tool.set("parameters", parameters.deepCopy());
        return tool;
    }
}
