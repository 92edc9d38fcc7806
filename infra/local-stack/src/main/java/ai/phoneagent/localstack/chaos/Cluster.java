package ai.phoneagent.localstack.chaos;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.Signing;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import ai.phoneagent.simulator.webhook.WebhookSender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The system as separate real processes: SQS and DynamoDB engines (one process each, so each can be paused with
 * SIGSTOP), the front (webhook and control APIs with the OpenAI simulator, {@code LOCAL_STACK_WORKER=false}), and
 * session workers started per scenario from {@code .local/worker.env}-style settings the front wrote.
 */
final class Cluster implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("(?m)^ready$");
    private static final Pattern SERVING = Pattern.compile("local stack: serving on port (\\d+)");
    private static final Pattern WORKER_STARTED = Pattern.compile("\"msg\":\"session worker started\"[^\\n]*");
    private static final Pattern WORKER_ID = Pattern.compile("\"worker_id\":\"([^\"]+)\"");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final Path dir;
    private final String java;
    private final Path localStackJar;
    private final Path workerJar;
    private final PrintStream out;
    private final List<ChildProcess> processes = new ArrayList<>();
    private final List<ChildProcess> workers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ChildProcess sqs;
    private ChildProcess dynamo;
    private URI base;
    private URI simulator;
    private Map<String, String> credentials;
    private Map<String, String> workerEnv;
    private int workerCount;

    private Cluster(Path dir, String java, Path localStackJar, Path workerJar, PrintStream out) {
        this.dir = dir;
        this.java = java;
        this.localStackJar = localStackJar;
        this.workerJar = workerJar;
        this.out = out;
    }

    static Cluster start(Path dir, Path localStackJar, Path workerJar, PrintStream out) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Cluster cluster = new Cluster(dir, java, localStackJar, workerJar, out);
        try {
            cluster.startFront();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private List<String> javaCommand(String... rest) {
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow"));
        command.addAll(List.of(rest));
        return command;
    }

    private void startFront() throws Exception {
        sqs = spawn("sqs", javaCommand("-cp", localStackJar.toString(), "ai.phoneagent.localaws.LocalAwsMain", "sqs"), Map.of());
        dynamo = spawn("dynamodb", javaCommand("-cp", localStackJar.toString(), "ai.phoneagent.localaws.LocalAwsMain", "dynamodb"), Map.of());
        sqs.awaitOutput(READY, START_TIMEOUT);
        dynamo.awaitOutput(READY, START_TIMEOUT);
        String sqsUrl = sqs.awaitOutput(Pattern.compile("AWS_ENDPOINT_URL_SQS=(\\S+)"), Duration.ofSeconds(1));
        String dynamoUrl = dynamo.awaitOutput(Pattern.compile("AWS_ENDPOINT_URL_DYNAMODB=(\\S+)"), Duration.ofSeconds(1));
        Path state = Files.createDirectories(dir.resolve("front"));
        Map<String, String> env = new HashMap<>(Map.of(
                "PORT", "0", "LOCAL_STACK_WORKER", "false", "LOCAL_STACK_NO_DEMO", "true",
                "LOCAL_STACK_STATE_DIR", state.toString(), "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "local", "AWS_SECRET_ACCESS_KEY", "local",
                "AWS_ENDPOINT_URL_SQS", sqsUrl, "AWS_ENDPOINT_URL_DYNAMODB", dynamoUrl));
        ChildProcess front = spawn("front", javaCommand("-jar", localStackJar.toString()), env);
        front.awaitOutput(SERVING, START_TIMEOUT);
        credentials = readEnvFile(state.resolve("credentials.env"));
        workerEnv = readEnvFile(state.resolve("worker.env"));
        base = URI.create(credentials.get("LOCAL_STACK_URL"));
        simulator = URI.create(credentials.get("SIMULATOR_URL"));
        out.println("chaos: engines (sqs pid " + sqs.pid() + ", dynamodb pid " + dynamo.pid() + ") and front (pid "
                + front.pid() + ", " + base + ") are up; logs in " + dir);
    }

    private ChildProcess spawn(String name, List<String> command, Map<String, String> env) throws IOException {
        ChildProcess process = ChildProcess.start(name, command, env, dir.resolve(name + ".log"));
        processes.add(process);
        return process;
    }

    /** A session worker joined to the front; {@code overrides} replace settings (e.g. a wrong OpenAI key). */
    Worker startWorker(Map<String, String> overrides) throws Exception {
        Map<String, String> env = new HashMap<>(workerEnv);
        env.putAll(overrides);
        String name = "worker-" + (++workerCount);
        ChildProcess process = spawn(name, javaCommand("-jar", workerJar.toString()), env);
        workers.add(process);
        String started = process.awaitOutput(WORKER_STARTED, START_TIMEOUT);
        var id = WORKER_ID.matcher(started);
        return new Worker(id.find() ? id.group(1) : name, process);
    }

    /** A worker process and the id it reports as call owner. */
    record Worker(String id, ChildProcess process) {
    }

    /** Stops every worker still running (SIGTERM, then SIGKILL): the end of a scenario. */
    void stopWorkers() {
        workers.forEach(ChildProcess::close);
        workers.clear();
    }

    ChildProcess sqsEngine() {
        return sqs;
    }

    ChildProcess dynamoEngine() {
        return dynamo;
    }

    // --- calls ----------------------------------------------------------------------------------------------

    /**
     * Places a call whose caller greets, then says {@code exchanges} lines a second apart (each answered), then stays
     * on the line; the webhook is (re)delivered in the background the way OpenAI does.
     */
    String placeCall(int exchanges) throws IOException, InterruptedException {
        IncomingCallSpec call = IncomingCallSpec.random();
        ArrayNode steps = Json.mapper().createArrayNode();
        steps.addObject().put("await", "greeting").put("timeout_ms", 300_000);
        for (int i = 1; i <= exchanges; i++) {
            steps.addObject().put("caller", "Caller line " + i + ".");
            steps.addObject().put("agent", "Agent answer " + i + ".");
            steps.addObject().put("pause_ms", 1000);
        }
        ObjectNode scenario = Json.object().put("name", "chaos-talk");
        scenario.set("steps", steps);
        simulator("PUT", "/_simulator/calls/" + call.callId() + "/scenario", Json.write(scenario));
        WebhookSender sender = new WebhookSender(credentials.get("OPENAI_WEBHOOK_SECRET"), Clock.systemUTC(),
                new RedeliveryPolicy(8, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(10), Duration.ofSeconds(10)));
        sender.deliverAsync(base.resolve("/openai/webhook"), WebhookEvent.incomingCall(call, Clock.systemUTC()), Signing.valid());
        return call.callId();
    }

    /** The simulator's view of every call, by id. */
    Map<String, JsonNode> simulatorCalls() throws IOException, InterruptedException {
        Map<String, JsonNode> calls = new LinkedHashMap<>();
        simulator("GET", "/_simulator/calls", "").path("calls").forEach(c -> calls.put(c.path("callId").asText(), c));
        return calls;
    }

    /** Waits until the simulator's view of every call satisfies {@code condition}; the time it took, or empty. */
    Optional<Duration> awaitCalls(List<String> callIds, Predicate<JsonNode> condition, Duration timeout)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < timeout.toNanos()) {
            Map<String, JsonNode> calls = simulatorCalls();
            if (callIds.stream().allMatch(id -> calls.containsKey(id) && condition.test(calls.get(id)))) {
                return Optional.of(Duration.ofNanos(System.nanoTime() - start));
            }
            TimeUnit.MILLISECONDS.sleep(200); // state of other processes over HTTP: polled
        }
        return Optional.empty();
    }

    /**
     * Our side of a call (the control API's detail; a call the API does not know reads as not live, status
     * {@code UNKNOWN}), or empty when the API does not answer.
     */
    Optional<JsonNode> ourCall(String callId) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/control/calls/" + callId + "?turnsLimit=200"))
                    .header("Authorization", "Bearer " + credentials.get("CONTROL_API_TOKEN"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                ObjectNode unknown = Json.object();
                unknown.putObject("call").put("live", false).put("status", "UNKNOWN");
                unknown.putArray("turns");
                return Optional.of(unknown);
            }
            return response.statusCode() == 200 ? Optional.of(Json.parse(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** An operator command through the control API; the HTTP status. */
    int operator(String callId, String action, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve("/control/calls/" + callId + "/" + action))
                .header("Authorization", "Bearer " + credentials.get("CONTROL_API_TOKEN"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    void callerHangsUp(String callId) throws IOException, InterruptedException {
        simulator("POST", "/_simulator/calls/" + callId + "/hangup", "");
    }

    void faults(String json) throws IOException, InterruptedException {
        simulator("PUT", "/_simulator/faults", json);
    }

    void clearFaults() throws IOException, InterruptedException {
        simulator("DELETE", "/_simulator/faults", "");
    }

    private JsonNode simulator(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(simulator.resolve(path))
                .header("Authorization", "Bearer " + credentials.get("SIMULATOR_API_KEY"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("simulator " + method + " " + path + " -> HTTP " + response.statusCode() + " " + response.body());
        }
        return Json.parse(response.body());
    }

    private static Map<String, String> readEnvFile(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith("export ") && line.contains("=")) {
                String name = line.substring("export ".length(), line.indexOf('='));
                String quoted = line.substring(line.indexOf('=') + 1);
                values.put(name, quoted.substring(1, quoted.length() - 1).replace("'\\''", "'"));
            }
        }
        return values;
    }

    @Override
    public void close() {
        for (ChildProcess process : processes.reversed()) {
            process.close();
        }
        http.close();
    }
}
