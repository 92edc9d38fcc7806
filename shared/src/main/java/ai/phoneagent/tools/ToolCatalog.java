package ai.phoneagent.tools;

import ai.phoneagent.config.Env;
import java.util.List;

/**
 * The tool settings of this deployment: transfer targets, whether {@code end_call} is on, the HTTP tools file.
 * {@link ToolRegistry#of} turns them into the tools offered and run.
 */
public record ToolCatalog(TransferConfig transfer, boolean endCallEnabled, List<HttpToolSpec> httpTools) {
    public ToolCatalog {
        httpTools = List.copyOf(httpTools);
    }

    public static ToolCatalog fromEnv(Env env) {
        return new ToolCatalog(TransferConfig.fromEnv(env), env.bool("END_CALL_ENABLED", true), HttpToolsFile.fromEnv(env));
    }
}
