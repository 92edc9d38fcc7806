package ai.phoneagent.tools;

/**
 * A function the model may call: its {@link ToolDefinition} (what the model is offered) and how it runs against a
 * {@link ToolContext}. Adding a tool is one implementation plus one line in {@link ToolRegistry#of}.
 */
public interface Tool {
    /** The name, description and JSON-schema parameters the session declares. */
    ToolDefinition definition();

    default String name() {
        return definition().name();
    }

    /**
     * Runs one call of the tool. Failures are answered, not thrown: the result is an error the model can speak.
     * Blocking is allowed unless {@link #decidesTheCallsNextStep()}.
     */
    ToolResult run(ToolCall call, ToolContext context);

    /**
     * True for a tool that decides what the call does next (end_call): it runs on the call's own thread before the
     * next server event is handled, must not block, runs even when its arguments are garbled (it then sees an empty
     * object), and the model is not asked to speak after it.
     */
    default boolean decidesTheCallsNextStep() {
        return false;
    }
}
