package ai.phoneagent.bench;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code bench.sh compare BEFORE.json AFTER.json}: the two results' figures side by side. */
final class Compare {
    private Compare() {
    }

    static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: compare BEFORE.json AFTER.json");
        }
        JsonNode before = Json.mapper().readTree(Files.readString(Path.of(args[0])));
        JsonNode after = Json.mapper().readTree(Files.readString(Path.of(args[1])));
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String[] row : Report.rows(before)) {
            rows.put(row[0], new String[] {row[1], "—"});
        }
        for (String[] row : Report.rows(after)) {
            rows.computeIfAbsent(row[0], k -> new String[] {"—", "—"})[1] = row[1];
        }
        System.out.println("| figure | " + label(before, args[0]) + " | " + label(after, args[1]) + " |");
        System.out.println("|---|---|---|");
        rows.forEach((k, v) -> System.out.println("| " + k + " | " + v[0] + " | " + v[1] + " |"));
        System.out.println("load before: " + before.path("uptime").asText() + " / " + after.path("uptime").asText());
    }

    private static String label(JsonNode r, String file) {
        String label = r.path("label").asText();
        return label.isEmpty() ? Path.of(file).getFileName().toString() : label;
    }
}
