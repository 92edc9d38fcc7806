package ai.phoneagent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads captured output as CloudWatch embedded metric format, checking each document against the EMF
 * specification independently of the code that wrote it: {@code _aws.Timestamp} epoch milliseconds,
 * {@code CloudWatchMetrics} directives with a {@code Namespace}, {@code Dimensions} (arrays of at most 30 keys, each
 * a string member of the root) and {@code Metrics} (at most 100, each {@code Name} a numeric root member, a known
 * {@code Unit}). A line that has {@code _aws} but breaks a rule fails the parse with the rule it broke.
 */
public final class EmfLines {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final java.util.Set<String> UNITS = java.util.Set.of("Seconds", "Microseconds", "Milliseconds",
            "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits",
            "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
            "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
            "Gigabits/Second", "Terabits/Second", "Count/Second", "None");

    /** One metric value as CloudWatch would extract it. */
    public record Datum(String namespace, String name, String unit, double value, List<List<String>> dimensionSets,
                        Map<String, String> dimensions, JsonNode document) {
        /** A root member of the document (a property such as {@code call_id}), or null. */
        public String property(String key) {
            JsonNode node = document.get(key);
            return node == null ? null : node.asText();
        }
    }

    private EmfLines() {
    }

    /** Every metric value in {@code text}'s EMF lines (other lines are ignored). */
    public static List<Datum> parse(String text) {
        List<Datum> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("{") || !trimmed.contains("\"_aws\"")) {
                continue;
            }
            JsonNode doc;
            try {
                doc = MAPPER.readTree(trimmed);
            } catch (java.io.IOException e) {
                throw new AssertionError("EMF line is not JSON: " + trimmed, e);
            }
            if (doc.has("_aws")) {
                out.addAll(document(doc));
            }
        }
        return out;
    }

    /** The values named {@code name}. */
    public static List<Datum> named(List<Datum> data, String name) {
        return data.stream().filter(d -> d.name().equals(name)).toList();
    }

    /** The values that match. */
    public static List<Datum> where(List<Datum> data, Predicate<Datum> filter) {
        return data.stream().filter(filter).toList();
    }

    private static List<Datum> document(JsonNode doc) {
        JsonNode aws = doc.get("_aws");
        require(aws.isObject(), "_aws is an object", doc);
        require(aws.path("Timestamp").isIntegralNumber() && aws.get("Timestamp").asLong() > 1_500_000_000_000L,
                "_aws.Timestamp is epoch milliseconds", doc);
        JsonNode directives = aws.get("CloudWatchMetrics");
        require(directives != null && directives.isArray() && !directives.isEmpty(), "CloudWatchMetrics is a non-empty array", doc);
        List<Datum> out = new ArrayList<>();
        for (JsonNode directive : directives) {
            String namespace = directive.path("Namespace").asText("");
            require(!namespace.isBlank() && namespace.length() <= 255, "Namespace is 1-255 characters", doc);
            JsonNode sets = directive.get("Dimensions");
            require(sets != null && sets.isArray(), "Dimensions is an array", doc);
            List<List<String>> dimensionSets = new ArrayList<>();
            Map<String, String> values = new LinkedHashMap<>();
            for (JsonNode set : sets) {
                require(set.isArray() && set.size() <= 30, "a dimension set is an array of at most 30 keys", doc);
                List<String> keys = new ArrayList<>();
                for (JsonNode key : set) {
                    JsonNode value = doc.get(key.asText());
                    require(value != null && value.isTextual() && !value.asText().isEmpty(),
                            "dimension " + key.asText() + " is a string member of the root", doc);
                    keys.add(key.asText());
                    values.put(key.asText(), value.asText());
                }
                dimensionSets.add(List.copyOf(keys));
            }
            JsonNode metrics = directive.get("Metrics");
            require(metrics != null && metrics.isArray() && metrics.size() <= 100, "Metrics is an array of at most 100", doc);
            for (JsonNode metric : metrics) {
                String name = metric.path("Name").asText("");
                require(!name.isBlank(), "a metric has a Name", doc);
                String unit = metric.path("Unit").asText("None");
                require(UNITS.contains(unit), "unit " + unit + " is a CloudWatch unit", doc);
                JsonNode value = doc.get(name);
                require(value != null && (value.isNumber() || (value.isArray() && value.size() > 0 && value.get(0).isNumber())),
                        "metric " + name + " has a numeric root member", doc);
                double v = value.isArray() ? value.get(0).asDouble() : value.asDouble();
                out.add(new Datum(namespace, name, unit, v, List.copyOf(dimensionSets), Map.copyOf(values), doc));
            }
        }
        return out;
    }

    private static void require(boolean ok, String rule, JsonNode doc) {
        if (!ok) {
            throw new AssertionError("not valid EMF (" + rule + "): " + doc);
        }
    }
}
