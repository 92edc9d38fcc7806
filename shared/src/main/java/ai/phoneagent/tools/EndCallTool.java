package ai.phoneagent.tools;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code end_call}: the agent hangs up once its goodbye has been said. */
public final class EndCallTool implements Tool {
    public static final String NAME = "end_call";
    private static final ToolDefinition DEFINITION = describe();

    @Override
    public ToolDefinition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult run(ToolCall call, ToolContext context) {
        String reason = Json.text(call.arguments(), "reason");
        context.hangupAfterResponse(reason == null ? "agent_hangup" : reason);
        return ToolResult.success("The call will end after your goodbye.");
    }

    /** Decided before the call's next event, so the {@code response.done} that follows already sees it. */
    @Override
    public boolean decidesTheCallsNextStep() {
        return true;
    }

    private static ToolDefinition describe() {
        ObjectNode params = Json.object().put("type", "object");
        params.set("properties", Json.object().set("reason", Json.object().put("type", "string")
                .put("description", "Why the call is ending, in a few words.")));
        return new ToolDefinition(NAME,
                "End the phone call. Use only after you have said goodbye and the caller has nothing more to ask.",
                params);
    }
}
