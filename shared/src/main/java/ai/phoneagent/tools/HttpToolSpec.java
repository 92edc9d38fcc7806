package ai.phoneagent.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A tool the agent calls over HTTP, declared in the {@code HTTP_TOOLS_PATH} file: the worker POSTs
 * {@code {"call_id":…,"arguments":{…}}} to {@code url} and hands the response body to the model.
 * Header values are already resolved (they may reference environment variables as {@code ${NAME}}).
 */
public record HttpToolSpec(String name, String description, ObjectNode parameters, URI url, Duration timeout,
                           Map<String, String> headers) {
    public ToolDefinition definition() {
        return new ToolDefinition(name, description, parameters);
    }

    @Override
    public String toString() {
        return "HttpToolSpec[name=" + name + ", url=" + url.getHost() + ", headers=" + headers.keySet() + "]";
    }
}
