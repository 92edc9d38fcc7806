package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code place-call}: a call placed by hand against a running stack and its simulator: chooses the call's scenario,
 * delivers the signed webhook, then follows the call until it ends (the caller hangs up after {@code --end-after}
 * seconds when given), printing what happened.
 */
final class PlaceCall {
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a call may take to end after its scenario's last step (e.g. the agent's hang-up) before it counts as live. */
    private static final Duration END_GRACE = Duration.ofSeconds(5);

    private PlaceCall() {
    }

    static int run(Map<String, String> options, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException {
        String url = required(options, "--url");
        URI simulator = URI.create(required(options, "--simulator"));
        String secret = options.getOrDefault("--secret", env.get("OPENAI_WEBHOOK_SECRET"));
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("place-call needs --secret or OPENAI_WEBHOOK_SECRET");
        }
        Duration endAfter = options.containsKey("--end-after") ? seconds(options.get("--end-after")) : null;
        IncomingCallSpec call = SimulatorMain.callSpec(options);
        String path = "/_simulator/calls/" + call.callId();
        try (AdminClient admin = new AdminClient(simulator, SimulatorMain.apiKey(options, env))) {
            if (options.containsKey("--scenario")) {
                AdminClient.Answer chosen = admin.send("PUT", path + "/scenario", scenarioBody(options.get("--scenario")));
                if (!chosen.ok()) {
                    err.println("the simulator refused the scenario: HTTP " + chosen.status() + " " + chosen.body());
                    return 1;
                }
            }
            if (!SimulatorMain.deliver(url, secret, call, WebhookEvent.CALL_INCOMING, 5, out)) {
                return 1;
            }
            if (options.containsKey("--no-wait")) {
                return 0;
            }
            return follow(admin, path, call.callId(), endAfter, out);
        } catch (IOException e) {
            err.println("the simulator at " + simulator + " did not answer: " + e.getMessage());
            return 1;
        }
    }

    private static int follow(AdminClient admin, String path, String callId, Duration endAfter, PrintStream out)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        boolean greeted = false;
        boolean hungUp = false;
        long scenarioOver = -1;
        while (true) {
            JsonNode state = state(admin, path);
            if (!greeted && state.path("greeted").asBoolean()) {
                greeted = true;
                out.println("the agent greeted the caller");
            }
            if (state.path("ended").asBoolean()) {
                out.println("call " + callId + " ended (" + state.path("endReason").asText() + "), transcript lines: "
                        + state.path("transcriptLines").asInt() + "; its record: "
                        + "curl -H \"Authorization: Bearer $CONTROL_API_TOKEN\" $LOCAL_STACK_URL/control/calls/" + callId);
                return 0;
            }
            if (!state.path("scenarioFailure").isNull() && !state.path("scenarioFailure").asText().isEmpty()) {
                out.println("the scenario stopped: " + state.path("scenarioFailure").asText());
                return 1;
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (endAfter != null && !hungUp && elapsed.compareTo(endAfter) >= 0) {
                hungUp = true;
                admin.send("POST", path + "/hangup", "");
                out.println("the caller hangs up after " + endAfter.toSeconds() + " s");
            } else if (endAfter == null && state.path("scenarioFinished").asBoolean() && scenarioOver < 0) {
                scenarioOver = System.nanoTime();
            } else if (scenarioOver >= 0 && System.nanoTime() - scenarioOver > END_GRACE.toNanos()) {
                out.println("the scenario is over and the call stays live: end it with --end-after or the control API ("
                        + "POST $LOCAL_STACK_URL/control/calls/" + callId + "/hangup)");
                return 0;
            }
            TimeUnit.NANOSECONDS.sleep(POLL.toNanos()); // polling a remote process's state: nothing to wait on here
        }
    }

    private static JsonNode state(AdminClient admin, String path) throws IOException, InterruptedException {
        AdminClient.Answer answer = admin.send("GET", path, "");
        if (!answer.ok()) {
            throw new IOException("HTTP " + answer.status() + " from " + path);
        }
        return Json.parse(answer.body());
    }

    /** A scenario file's JSON, or a bundled name for the simulator to load (checked here first). */
    private static String scenarioBody(String nameOrPath) throws IOException {
        Path file = Path.of(nameOrPath);
        if (Files.isRegularFile(file)) {
            String json = Files.readString(file);
            Scenario.parse(json);
            return json;
        }
        Scenario.load(nameOrPath);
        return Json.write(Json.object().put("load", nameOrPath));
    }

    private static Duration seconds(String text) {
        try {
            long seconds = Long.parseLong(text.strip());
            if (seconds < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--end-after takes whole seconds, got: " + text);
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("place-call needs " + name);
        }
        return value;
    }
}
