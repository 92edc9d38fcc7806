package ai.phoneagent.localstack.chaos;

import ai.phoneagent.logging.JsonLog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/chaos.sh}: breaks a locally running system on purpose and prints, per scenario, calls lost, calls
 * stuck, transcript lines lost and the time to recovery; exits 1 when any is above zero or a recovery misses its
 * target.
 * <pre>
 *   ChaosMain [--dir DIR] [--settle SECONDS] [--local-stack-jar JAR] [--worker-jar JAR] [--list] [SCENARIO...]
 * </pre>
 * Without scenario names every scenario runs (the full form).
 */
public final class ChaosMain {
    private ChaosMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        JsonLog.redirect(new PrintStream(PrintStream.nullOutputStream())); // the driver's own clients log nothing useful here
        Path dir = null;
        Duration settle = Duration.ofSeconds(30);
        Path localStackJar = Path.of("infra/local-stack/target/local-stack.jar");
        Path workerJar = Path.of("session-worker/target/session-worker.jar");
        List<String> names = new ArrayList<>();
        boolean list = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--settle" -> settle = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "--local-stack-jar" -> localStackJar = Path.of(args[++i]);
                case "--worker-jar" -> workerJar = Path.of(args[++i]);
                case "--list" -> list = true;
                default -> names.add(args[i]);
            }
        }
        Map<String, Scenarios.Scenario> all = new Scenarios(settle).all();
        if (list) {
            all.keySet().forEach(out::println);
            return;
        }
        if (names.isEmpty()) {
            names.addAll(all.keySet());
        }
        for (String name : names) {
            if (!all.containsKey(name)) {
                System.err.println("unknown scenario: " + name + " (known: " + String.join(", ", all.keySet()) + ")");
                System.exit(2);
            }
        }
        dir = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("chaos-");
        List<Outcome> outcomes = new ArrayList<>();
        Cluster started = Cluster.start(dir, localStackJar, workerJar, out);
        // Ctrl-C or SIGTERM of the suite stops every process it started
        Thread stopper = Thread.ofPlatform().unstarted(started::close);
        Runtime.getRuntime().addShutdownHook(stopper);
        try (Cluster cluster = started) {
            for (String name : names) {
                out.println("chaos: " + name + " …");
                Outcome outcome;
                try {
                    outcome = all.get(name).run(cluster);
                } catch (Exception | AssertionError e) {
                    outcome = Outcome.failed(name, e.getMessage());
                    cluster.stopWorkers();
                }
                outcome.print(out);
                outcomes.add(outcome);
            }
        }
        Runtime.getRuntime().removeShutdownHook(stopper);
        long failed = outcomes.stream().filter(o -> !o.passed()).count();
        out.println();
        out.println("chaos: " + outcomes.size() + " scenario(s), " + (outcomes.size() - failed) + " passed, " + failed
                + " failed; process logs in " + dir);
        System.exit(failed == 0 ? 0 : 1);
    }
}
