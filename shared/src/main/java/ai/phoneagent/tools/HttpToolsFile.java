package ai.phoneagent.tools;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Loads and validates the HTTP tools file named by {@code HTTP_TOOLS_PATH}. */
public final class HttpToolsFile {
    public static final String VARIABLE = "HTTP_TOOLS_PATH";
    private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_\\-]{1,64}");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Z0-9_]+)}");
    static final Set<String> RESERVED = Set.of(TransferTool.NAME, EndCallTool.NAME);

    private HttpToolsFile() {
    }

    /** The tools of the configured file; none when the variable is unset. */
    public static List<HttpToolSpec> fromEnv(Env env) {
        var path = env.optional(VARIABLE);
        if (path.isEmpty()) {
            return List.of();
        }
        String text;
        try {
            text = Files.readString(Path.of(path.get()));
        } catch (IOException e) {
            throw new ConfigException(VARIABLE, "names a file that cannot be read");
        }
        return parse(text, env);
    }

    /** Parses {@code {"tools":[…]}} or a bare array; header values may use {@code ${VAR}}. */
    public static List<HttpToolSpec> parse(String text, Env env) {
        JsonNode root;
        try {
            root = Json.parse(text);
        } catch (IOException e) {
            throw new ConfigException(VARIABLE, "file is not valid JSON");
        }
        JsonNode list = root != null && root.isObject() ? root.get("tools") : root;
        if (list == null || !list.isArray()) {
            throw new ConfigException(VARIABLE, "file must hold a JSON array of tools or {\"tools\": [...]}");
        }
        List<HttpToolSpec> tools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode node : list) {
            String where = "tool #" + index++;
            String name = Json.text(node, "name");
            if (name == null || !TOOL_NAME.matcher(name).matches()) {
                throw new ConfigException(VARIABLE, where + " needs a name of letters, digits, _ or -");
            }
            where = "tool '" + name + "'";
            if (RESERVED.contains(name) || !names.add(name)) {
                throw new ConfigException(VARIABLE, where + " repeats a tool name");
            }
            String description = Json.text(node, "description");
            if (description == null || description.isBlank()) {
                throw new ConfigException(VARIABLE, where + " needs a description");
            }
            JsonNode parameters = node.get("parameters");
            ObjectNode schema = parameters == null
                    ? (ObjectNode) Json.object().put("type", "object").set("properties", Json.object())
                    : parameters.isObject() ? (ObjectNode) parameters : null;
            if (schema == null) {
                throw new ConfigException(VARIABLE, where + " parameters must be a JSON schema object");
            }
            URI url;
            try {
                url = URI.create(Json.text(node, "url"));
            } catch (RuntimeException e) {
                throw new ConfigException(VARIABLE, where + " needs an absolute http(s) url");
            }
            if (url.getScheme() == null || !url.getScheme().matches("https?") || url.getHost() == null) {
                throw new ConfigException(VARIABLE, where + " needs an absolute http(s) url");
            }
            long timeoutMs = node.path("timeout_ms").asLong(5_000);
            if (timeoutMs < 100 || timeoutMs > 30_000) {
                throw new ConfigException(VARIABLE, where + " timeout_ms must be between 100 and 30000");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (var header : node.path("headers").properties()) {
                headers.put(header.getKey(), expand(header.getValue().asText(), env, where));
            }
            tools.add(new HttpToolSpec(name, description, schema, url, Duration.ofMillis(timeoutMs), Map.copyOf(headers)));
        }
        return List.copyOf(tools);
    }

    private static String expand(String value, Env env, String where) {
        Matcher m = ENV_REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String resolved = env.optional(name).orElseThrow(
                    () -> new ConfigException(VARIABLE, where + " header references unset variable " + name));
            m.appendReplacement(out, Matcher.quoteReplacement(resolved));
        }
        m.appendTail(out);
        return out.toString();
    }
}
