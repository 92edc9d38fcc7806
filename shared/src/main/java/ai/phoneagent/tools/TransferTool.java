package ai.phoneagent.tools;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code transfer_to_human}: hands the caller to one of the configured targets, by name only. A phone number or
 * SIP/tel address anywhere in the arguments (perhaps dictated by the caller) is refused and never dialled.
 */
public final class TransferTool implements Tool {
    public static final String NAME = "transfer_to_human";
    public static final String UNKNOWN_TARGET = "I'm sorry, I can only transfer you to our own team.";
    private static final JsonLog LOG = JsonLog.forComponent("tools");
    /** Phone numbers and SIP/tel addresses: never accepted from the model as anything to dial. */
    private static final Pattern ADDRESS = Pattern.compile("(?i)(sips?:|tel:|@|\\+?\\d[\\d\\-. ()]{5,}\\d)");

    private final ToolDefinition definition;

    public TransferTool(TransferConfig config) {
        this.definition = definition(config);
    }

    @Override
    public ToolDefinition definition() {
        return definition;
    }

    @Override
    public ToolResult run(ToolCall call, ToolContext context) {
        JsonNode args = call.arguments();
        for (var field : args.properties()) {
            if (field.getKey().equals("reason")) {
                continue;
            }
            String value = field.getValue().isValueNode() ? field.getValue().asText() : Json.write(field.getValue());
            if (ADDRESS.matcher(value).find()) {
                String key = field.getKey();
                ObjectNode details = Json.object().put("source", "tool").put("error", "address_in_arguments")
                        .put("field", key.length() <= 40 ? key : key.substring(0, 40));
                context.recordEvent("transfer_refused", details);
                LOG.warn("transfer refused", Map.of("call_id", context.callId(), "why", "address_in_arguments"));
                return ToolResult.error(UNKNOWN_TARGET);
            }
        }
        return context.transfer(Json.text(args, "target"), Json.text(args, "reason"));
    }

    private static ToolDefinition definition(TransferConfig config) {
        ObjectNode properties = Json.object();
        if (config.targets().size() > 1) {
            ObjectNode target = Json.object().put("type", "string")
                    .put("description", "Who to transfer to. Leave out for the default.");
            var values = target.putArray("enum");
            config.targetNames().forEach(values::add);
            properties.set("target", target);
        }
        properties.set("reason", Json.object().put("type", "string")
                .put("description", "A short summary for the person taking the call."));
        ObjectNode params = Json.object().put("type", "object");
        params.set("properties", properties);
        return new ToolDefinition(NAME,
                "Transfer the caller to a human. Tell the caller you are connecting them before calling this.",
                params);
    }
}
