package ai.phoneagent.templatechecks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed template (plain maps, lists and scalars; intrinsics in long form) with navigation helpers. Mutable on
 * purpose: tests break a {@link #copy()} in memory and show that the checks notice.
 */
public final class Template {
    private final Map<String, Object> root;

    private Template(Map<String, Object> root) {
        this.root = root;
    }

    public static Template load(Path file) throws IOException {
        return new Template(CfnYaml.load(file));
    }

    public static Template parse(String text) {
        return new Template(CfnYaml.parse(text));
    }

    /** The whole template, for in-place changes. */
    public Map<String, Object> root() {
        return root;
    }

    /** A deep copy that can be changed without touching this one. */
    @SuppressWarnings("unchecked")
    public Template copy() {
        return new Template((Map<String, Object>) deepCopy(root));
    }

    private static Object deepCopy(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return copy;
        }
        if (node instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(deepCopy(v)));
            return copy;
        }
        return node;
    }

    public Map<String, Object> section(String name) {
        return map(root.get(name));
    }

    public Map<String, Object> resources() {
        return section("Resources");
    }

    public Map<String, Object> parameters() {
        return section("Parameters");
    }

    public Optional<Map<String, Object>> resource(String logicalId) {
        Object resource = resources().get(logicalId);
        return resource instanceof Map<?, ?> ? Optional.of(map(resource)) : Optional.empty();
    }

    public String type(String logicalId) {
        return resource(logicalId).map(r -> string(r.get("Type"))).orElse(null);
    }

    /** The resource's Properties (empty when it has none or does not exist). */
    public Map<String, Object> properties(String logicalId) {
        return resource(logicalId).map(r -> map(r.get("Properties"))).orElse(Map.of());
    }

    public Map<String, Object> metadata(String logicalId) {
        return resource(logicalId).map(r -> map(r.get("Metadata"))).orElse(Map.of());
    }

    /** Logical ids of the resources of one type, in template order. */
    public List<String> resourcesOfType(String type) {
        List<String> ids = new ArrayList<>();
        resources().forEach((id, resource) -> {
            if (type.equals(string(map(resource).get("Type")))) {
                ids.add(id);
            }
        });
        return ids;
    }

    // ------------------------------------------------------------------ plain-structure helpers

    /** The value at a path of keys (maps) and indexes (lists), or null. */
    public static Object at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            if (current instanceof Map<?, ?> map && step instanceof String key) {
                current = map.get(key);
            } else if (current instanceof List<?> list && step instanceof Integer index) {
                current = index >= 0 && index < list.size() ? list.get(index) : null;
            } else {
                return null;
            }
        }
        return current;
    }

    /** The map, or an empty map when the value is absent or not a map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /** The list; a single value becomes a one-element list; absent becomes empty. */
    @SuppressWarnings("unchecked")
    public static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        return value instanceof List<?> list ? (List<Object>) list : List.of(value);
    }

    /** The scalar as text (numbers and booleans too), or null for absent values and structures. */
    public static String string(Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        return null;
    }

    /** The logical id a {@code {"Ref": id}} points at, or null. */
    public static String refTarget(Object value) {
        return value instanceof Map<?, ?> map && map.size() == 1 ? string(map.get("Ref")) : null;
    }

    /** The logical id a {@code {"Fn::GetAtt": [id, attribute]}} points at when the attribute matches, or null. */
    public static String getAttTarget(Object value, String attribute) {
        if (value instanceof Map<?, ?> map && map.size() == 1 && map.get("Fn::GetAtt") instanceof List<?> args
                && args.size() == 2 && attribute.equals(string(args.get(1)))) {
            return string(args.get(0));
        }
        return null;
    }
}
