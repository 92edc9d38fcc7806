package ai.phoneagent.simulator.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What an {@code await} step waits for among the client's events. Named targets: {@code greeting},
 * {@code function_call_output}, {@code response.create}, {@code session.update}, {@code system_message};
 * any other name matches a client event of that {@code type}.
 */
public record AwaitTarget(String name) {
    public static final AwaitTarget GREETING = new AwaitTarget("greeting");
    public static final AwaitTarget FUNCTION_CALL_OUTPUT = new AwaitTarget("function_call_output");
    public static final AwaitTarget RESPONSE_CREATE = new AwaitTarget("response.create");
    public static final AwaitTarget SESSION_UPDATE = new AwaitTarget("session.update");
    public static final AwaitTarget SYSTEM_MESSAGE = new AwaitTarget("system_message");

    public AwaitTarget {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("await target is blank");
        }
    }

    /** True when the client event satisfies this target. */
    public boolean matches(JsonNode event) {
        String type = event.path("type").asText("");
        JsonNode item = event.path("item");
        return switch (name) {
            case "greeting" -> type.equals("response.create")
                    && event.path("response").path("instructions").isTextual();
            case "function_call_output" -> type.equals("conversation.item.create")
                    && item.path("type").asText("").equals("function_call_output");
            case "system_message" -> type.equals("conversation.item.create")
                    && item.path("type").asText("").equals("message")
                    && item.path("role").asText("").equals("system");
            default -> type.equals(name);
        };
    }

    @Override
    public String toString() {
        return name;
    }
}
