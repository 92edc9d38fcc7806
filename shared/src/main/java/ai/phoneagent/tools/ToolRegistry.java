package ai.phoneagent.tools;

import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The tools of this deployment, built once from configuration: the webhook offers their definitions to the model
 * at accept and the worker runs them, so the two cannot drift apart within one build and configuration. The
 * catalogue's {@link #fingerprint()} is stored on the call at accept, so a worker can tell when it runs a different
 * catalogue than the one the model was offered.
 */
public final class ToolRegistry {
    /** Hex characters of the SHA-256 kept: enough to tell catalogues apart, short enough to read in a log line. */
    static final int FINGERPRINT_CHARS = 16;

    private final Map<String, Tool> tools;
    private final List<ToolDefinition> definitions;
    private final String fingerprint;

    /** Tools in the order the session declares them; names must be unique. */
    public ToolRegistry(List<? extends Tool> tools) {
        Map<String, Tool> byName = new LinkedHashMap<>();
        for (Tool tool : tools) {
            if (byName.putIfAbsent(tool.name(), tool) != null) {
                throw new IllegalArgumentException("tool '" + tool.name() + "' is registered twice");
            }
        }
        this.tools = java.util.Collections.unmodifiableMap(byName);
        this.definitions = byName.values().stream().map(Tool::definition).toList();
        this.fingerprint = fingerprint(definitions);
    }

    public static ToolRegistry fromEnv(Env env) {
        return of(ToolCatalog.fromEnv(env));
    }

    /** The registrations: one line per tool, each present only when configured. */
    public static ToolRegistry of(ToolCatalog config) {
        List<Tool> tools = new ArrayList<>();
        if (config.transfer().enabled()) {
            tools.add(new TransferTool(config.transfer()));
        }
        if (config.endCallEnabled()) {
            tools.add(new EndCallTool());
        }
        config.httpTools().forEach(spec -> tools.add(new HttpTool(spec)));
        return new ToolRegistry(tools);
    }

    /** What the model is offered, in declaration order. */
    public List<ToolDefinition> definitions() {
        return definitions;
    }

    public Optional<Tool> tool(String name) {
        return Optional.ofNullable(name == null ? null : tools.get(name));
    }

    public List<String> names() {
        return List.copyOf(tools.keySet());
    }

    /** The fingerprint of {@link #definitions()}; see {@link #fingerprint(List)}. */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * The first {@value #FINGERPRINT_CHARS} hex characters of the SHA-256 of the definitions' canonical JSON: sorted by
     * name, object keys sorted at every depth, no whitespace. The order tools are configured in does not change it;
     * any change to a name, description or parameter schema does.
     */
    public static String fingerprint(List<ToolDefinition> definitions) {
        ArrayNode canonical = Json.mapper().createArrayNode();
        definitions.stream().sorted(Comparator.comparing(ToolDefinition::name)).forEach(d -> {
            ObjectNode node = Json.object().put("name", d.name()).put("description", d.description());
            node.set("parameters", d.parameters());
            canonical.add(sortedKeys(node));
        });
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(Json.write(canonical).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, FINGERPRINT_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static JsonNode sortedKeys(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            node.properties().forEach(e -> sorted.put(e.getKey(), sortedKeys(e.getValue())));
            ObjectNode copy = Json.object();
            sorted.forEach(copy::set);
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = Json.mapper().createArrayNode();
            node.forEach(item -> copy.add(sortedKeys(item)));
            return copy;
        }
        return node;
    }

    @Override
    public String toString() {
        return "ToolRegistry[" + names() + ", fingerprint=" + fingerprint + "]";
    }
}
