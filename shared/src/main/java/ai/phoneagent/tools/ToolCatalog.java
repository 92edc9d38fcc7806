package ai.phoneagent.tools;

import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The tools this deployment offers the model: only those that are configured. */
public record ToolCatalog(TransferConfig transfer, boolean endCallEnabled, List<HttpToolSpec> httpTools) {
    public static final String TRANSFER_TOOL = "transfer_to_human";
    public static final String END_CALL_TOOL = "end_call";

    public ToolCatalog {
        httpTools = List.copyOf(httpTools);
    }

    public static ToolCatalog fromEnv(Env env) {
        return new ToolCatalog(TransferConfig.fromEnv(env), env.bool("END_CALL_ENABLED", true), HttpToolsFile.fromEnv(env));
    }

    /** Definitions in the order the session declares them. */
    public List<ToolDefinition> definitions() {
        List<ToolDefinition> tools = new ArrayList<>();
        if (transfer.enabled()) {
            tools.add(transferDefinition());
        }
        if (endCallEnabled) {
            ObjectNode params = Json.object().put("type", "object");
            params.set("properties", Json.object().set("reason", Json.object().put("type", "string")
                    .put("description", "Why the call is ending, in a few words.")));
            tools.add(new ToolDefinition(END_CALL_TOOL,
                    "End the phone call. Use only after you have said goodbye and the caller has nothing more to ask.",
                    params));
        }
        httpTools.forEach(t -> tools.add(t.definition()));
        return List.copyOf(tools);
    }

    public Optional<HttpToolSpec> httpTool(String name) {
        return httpTools.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    private ToolDefinition transferDefinition() {
        ObjectNode properties = Json.object();
        if (transfer.targets().size() > 1) {
            ObjectNode target = Json.object().put("type", "string")
                    .put("description", "Who to transfer to. Leave out for the default.");
            var values = target.putArray("enum");
            transfer.targetNames().forEach(values::add);
            properties.set("target", target);
        }
        properties.set("reason", Json.object().put("type", "string")
                .put("description", "A short summary for the person taking the call."));
        ObjectNode params = Json.object().put("type", "object");
        params.set("properties", properties);
        return new ToolDefinition(TRANSFER_TOOL,
                "Transfer the caller to a human. Tell the caller you are connecting them before calling this.",
                params);
    }
}
