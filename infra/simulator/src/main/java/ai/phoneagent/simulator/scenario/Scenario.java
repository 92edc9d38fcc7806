package ai.phoneagent.simulator.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** A scripted conversation for one call: a name, a description and the steps run in order. */
public record Scenario(String name, String description, List<Step> steps) {
    private static final String RESOURCE_DIR = "scenarios/";

    public Scenario {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        steps = List.copyOf(steps);
    }

    /** A scenario built in code. */
    public static Scenario of(String name, Step... steps) {
        return new Scenario(name, "", List.of(steps));
    }

    /** A scenario with no steps: the call attaches, gets {@code session.created} and auto-replies only. */
    public static Scenario quiet() {
        return new Scenario("quiet", "attach and answer client events only", List.of());
    }

    /** Parses scenario JSON (see the module README for the format). */
    public static Scenario parse(String json) {
        return ScenarioParser.parse(json, "inline");
    }

    /** Loads a scenario shipped in this module ({@code scenarios/<name>.json}) or, failing that, a file path. */
    public static Scenario load(String nameOrPath) {
        Objects.requireNonNull(nameOrPath, "nameOrPath");
        String resource = RESOURCE_DIR + (nameOrPath.endsWith(".json") ? nameOrPath : nameOrPath + ".json");
        if (!nameOrPath.contains("/") && !nameOrPath.contains("\\")) {
            try (InputStream in = Scenario.class.getClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    return ScenarioParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), nameOrPath);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Path path = Path.of(nameOrPath);
        if (Files.isRegularFile(path)) {
            return fromFile(path);
        }
        throw new IllegalArgumentException("no scenario named '" + nameOrPath + "' (neither a bundled name nor a file)");
    }

    /** Reads a scenario file. */
    public static Scenario fromFile(Path path) {
        try {
            return ScenarioParser.parse(Files.readString(path), path.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the scenarios bundled with the simulator. */
    public static List<String> bundled() {
        return List.of("default", "demo", "goodbye", "caller-hangs-up", "keypad", "quiet");
    }
}
