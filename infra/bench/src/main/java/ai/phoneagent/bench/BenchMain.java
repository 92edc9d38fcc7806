package ai.phoneagent.bench;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.CallSnapshot;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.ProcessLimits;
import ai.phoneagent.simulator.SimulatorConfig;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import ai.phoneagent.simulator.webhook.WebhookSender;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The benchmark driver ({@code scripts/bench.sh}; method and figures in {@code infra/bench/README.md}). This process
 * plays OpenAI (the connector simulator, in-process) and the operator; the AWS engines, the two Lambda handlers
 * (behind the API Gateway look-alike) and the session worker each run in a JVM of their own, so every CPU figure is
 * one process's own counter.
 */
public final class BenchMain {
    /** JIT compiler threads stay alive, so their CPU can be read per thread ({@link Child#compilerCpuMillis()}). */
    /** How far apart the paced operator hang-ups are. */
    static final Duration HANGUP_PACE = Duration.ofMillis(500);
    /** Hang-ups sent before the measured ones, to warm the path (JIT, connections), as the other latency figures do. */
    static final int HANGUP_WARM_UP = 20;
    private static final String KEEP_COMPILER_THREADS = "-XX:-UseDynamicNumberOfCompilerThreads";
    /** The conversation figure's call: greeted, then four exchanges of everyday length ({@link #conversationCpu}). */
    static final Scenario CONVERSATION = Scenario.parse("""
            {"name": "bench-conversation", "steps": [
              {"await": "greeting", "timeout_ms": 60000},
              {"caller": "Hi, I'm calling about my order from last week, it still hasn't arrived."},
              {"agent": "I'm sorry to hear that. Could you give me the order number so I can look it up?"},
              {"caller": "Sure, it's four seven two nine one, under the name Taylor."},
              {"agent": "Thanks, Taylor. I see it left our warehouse on Monday and is due to arrive tomorrow."},
              {"caller": "Okay, and will I get a tracking link by text message?"},
              {"agent": "Yes, I've just sent the tracking link to the number on your account."},
              {"caller": "Great, that's all I needed. Thank you so much."},
              {"agent": "You're welcome. Have a lovely day, and thanks for calling."}
            ]}""");
    /** How many times the caller speaks in {@link #CONVERSATION} (each answered by the agent). */
    static final long CONVERSATION_EXCHANGES =
            CONVERSATION.steps().stream().filter(s -> s instanceof Step.Caller).count();
    private static final Duration STEP = Duration.ofSeconds(60); // generous: a loaded 2-core machine is slow to warm up
    /** Held (JUL keeps loggers weakly): each socket the simulator closes after its WebSocket ended logs a warning. */
    private static final java.util.logging.Logger SERVER_LOG = java.util.logging.Logger.getLogger("mockwebserver3.MockWebServer");
    private final Options options;
    private final PrintStream out = System.out;
    private final Clock clock = Clock.systemUTC();
    private final Path logs;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    private final String apiKey = "sk-bench-" + hex(12);
    private final String webhookSecret = "whsec_" + Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(24));
    private final String controlToken = "bench-" + hex(16);
    private final ObjectNode result = Json.object();
    private final java.util.concurrent.atomic.AtomicInteger webhookRedeliveries = new java.util.concurrent.atomic.AtomicInteger();
    private ConnectorSimulator simulator;
    private WebhookSender sender;
    private Map<String, String> env;
    private Child front;
    private Child worker;
    /** The AWS engines' process (ElasticMQ and DynamoDB Local): their CPU per call is reported, never counted as ours. */
    private Child engines;
    private URI frontUrl;
    private final List<String> probeCalls = new ArrayList<>();

    /**
     * @param liveOnly     only the live-calls scenario (after a short warm-up): no ring-to-greeting, no starts
     * @param holdSeconds  the idle window of each live step
     * @param liveGreetings new calls greeted one at a time while N calls are live
     */
    record Options(Path out, String label, int sequential, int rounds20, int rounds50, int warmup,
                   List<Integer> live, boolean starts, int startRuns, int holdSeconds, boolean startsOnly,
                   boolean liveOnly, int liveGreetings, String workerJar, Path trainWorkerAot, int steadyCalls,
                   int conversationCalls, Path workerJvmOptions) {
        static Options parse(String[] args) {
            Path out = Path.of("target/bench");
            String label = "";
            boolean quick = false;
            List<Integer> live = List.of(100);
            boolean starts = true;
            boolean startsOnly = false;
            String workerJar = "session-worker/target/session-worker.jar";
            Path trainWorkerAot = null;
            boolean liveOnly = false;
            int hold = -1;
            int steady = -1;
            int conversation = -1;
            Path workerJvmOptions = WorkerJvmOptions.IN_REPOSITORY;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--out" -> out = Path.of(args[++i]);
                    case "--label" -> label = args[++i];
                    case "--quick" -> quick = true;
                    case "--live" -> live = java.util.Arrays.stream(args[++i].split(",")).map(String::trim)
                            .filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
                    case "--live-only" -> liveOnly = true;
                    case "--hold" -> hold = Integer.parseInt(args[++i]);
                    case "--steady" -> steady = Integer.parseInt(args[++i]);
                    case "--conversation" -> conversation = Integer.parseInt(args[++i]);
                    case "--worker-jvm-options" -> workerJvmOptions = Path.of(args[++i]);
                    case "--no-starts" -> starts = false;
                    case "--starts-only" -> startsOnly = true;
                    case "--worker-jar" -> workerJar = args[++i];
                    case "--train-worker-aot" -> trainWorkerAot = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (use --out DIR --label TEXT --quick --live 100,1000,5000 --live-only --hold SECONDS"
                            + " --no-starts --starts-only --worker-jar JAR --train-worker-aot CACHE --steady CALLS"
                            + " --conversation CALLS --worker-jvm-options FILE)");
                }
            }
            return quick ? new Options(out, label, 20, 2, 1, liveOnly ? 20 : 60, live, starts && !liveOnly, 1,
                    hold > 0 ? hold : 10, startsOnly, liveOnly, 20, workerJar, trainWorkerAot,
                    steady >= 0 ? steady : 200, conversation >= 0 ? conversation : 100, workerJvmOptions)
                    : new Options(out, label, 60, 5, 3, liveOnly ? 50 : 200, live, starts && !liveOnly, 3,
                    hold > 0 ? hold : 30, startsOnly, liveOnly, 100, workerJar, trainWorkerAot,
                    steady >= 0 ? steady : 1000, conversation >= 0 ? conversation : 300, workerJvmOptions);
        }
    }

    private BenchMain(Options options) {
        this.options = options;
        this.logs = options.out().resolve("logs");
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("compare")) {
            Compare.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Options options = Options.parse(args);
        if (options.trainWorkerAot() != null) {
            System.exit(new BenchMain(options).trainWorkerAot() ? 0 : 1);
        }
        new BenchMain(options).run();
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(logs);
        SERVER_LOG.setLevel(java.util.logging.Level.SEVERE);
        result.put("label", options.label());
        result.put("startedAt", clock.instant().toString());
        result.put("uptime", uptime());
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        simulator = ConnectorSimulator.start(SimulatorConfig.builder().apiKey(apiKey).defaultScenario(Scenario.quiet())
                .awaitTimeout(Duration.ofSeconds(30)).build());
        sender = new WebhookSender(webhookSecret, clock, RedeliveryPolicy.once());
        try (Child engines = Child.start("engines", java(List.of(), "ai.phoneagent.bench.EnginesMain"), Map.of(), "ENGINES", logs)) {
            this.engines = engines;
            Map<String, String> e = fields(engines.awaitMarker(Duration.ofSeconds(90)));
            env = baseEnv(e);
            front = startFront();
            worker = startWorker(List.of(), "worker");
            if (!options.startsOnly()) {
                say("engines, front (webhook + control handlers) and worker are up; warming up with " + options.warmup() + " calls");
                burst(options.warmup(), 10, true);
                if (!options.liveOnly()) {
                    latencyScenarios();
                }
                liveScenarios();
            }
            front.close();
            worker.close();
            if (options.starts()) {
                startScenarios();
            }
        } finally {
            if (front != null) front.close();
            if (worker != null) worker.close();
            simulator.close();
        }
        result.put("webhookRedeliveries", webhookRedeliveries.get());
        result.put("finishedAt", clock.instant().toString());
        result.put("uptimeAfter", uptime());
        Report.print(result, out);
        Path file = options.out().resolve("bench-" + clock.instant().toString().replace(':', '-') + ".json");
        Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
        Files.writeString(options.out().resolve("latest.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
        say("wrote " + file + " (and latest.json)");
    }

    /**
     * {@code --train-worker-aot CACHE}: the worker image's AOT cache, trained at image build on a real run (AWS engines,
     * the webhook front and the simulator as here; one call placed, greeted, hung up; the worker stopped by SIGTERM),
     * then assembled. Run by the JVM that will use the cache, on the worker jar at its final path.
     */
    private boolean trainWorkerAot() throws Exception {
        Files.createDirectories(logs);
        Path cache = options.trainWorkerAot().toAbsolutePath();
        Path config = cache.resolveSibling(cache.getFileName() + "conf");
        simulator = ConnectorSimulator.start(SimulatorConfig.builder().apiKey(apiKey).defaultScenario(Scenario.quiet())
                .awaitTimeout(Duration.ofSeconds(60)).build());
        sender = new WebhookSender(webhookSecret, clock, RedeliveryPolicy.once());
        try (Child engines = Child.start("engines", java(List.of(), "ai.phoneagent.bench.EnginesMain"), Map.of(), "ENGINES", logs)) {
            env = baseEnv(fields(engines.awaitMarker(Duration.ofMinutes(5))));
            try (Child via = startFront()) {
                workerStart(via, List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + config), 1, "worker-train");
            }
            boolean built = createAotCache("worker", config, cache, options.workerJar());
            Files.deleteIfExists(config);
            say(built ? "worker AOT cache written to " + cache : "no worker AOT cache; logs in " + logs);
            return built;
        } finally {
            simulator.close();
        }
    }

    // ---------------------------------------------------------------- ring to greeting, CPU, AWS requests per call

    private void latencyScenarios() throws Exception {
        long frontCpu = front.cpuMillis();
        long workerCpu = worker.cpuMillis();
        long frontJit = front.compilerCpuMillis();
        long workerJit = worker.compilerCpuMillis();
        Map<String, Long> aws = awsCounts();
        int calls = 0;
        ObjectNode ring = result.putObject("ringToGreeting");
        int[][] plan = {{1, options.sequential()}, {20, options.rounds20()}, {50, options.rounds50()}};
        for (int[] step : plan) {
            int concurrency = step[0];
            int rounds = step[1];
            Map<String, Samples> samples = newSampleSet();
            for (int r = 0; r < rounds; r++) {
                for (CallTimes t : burst(concurrency, concurrency, true)) {
                    t.addTo(samples);
                }
                calls += concurrency;
            }
            ObjectNode node = ring.putObject(Integer.toString(concurrency));
            samples.forEach((k, v) -> node.set(k, Json.mapper().valueToTree(v.summary())));
            say("ring-to-greeting at " + concurrency + " at once: greeting p50 " + samples.get("greeting").percentile(50)
                    + " ms, p99 " + samples.get("greeting").percentile(99) + " ms");
        }
        awaitSettled();
        ObjectNode cpu = result.putObject("cpuPerCall");
        cpu.put("calls", calls);
        cpu.put("frontMs", Samples.round((front.cpuMillis() - frontCpu) / (double) calls));
        cpu.put("workerMs", Samples.round((worker.cpuMillis() - workerCpu) / (double) calls));
        cpu.put("frontJitMs", Samples.round((front.compilerCpuMillis() - frontJit) / (double) calls));
        cpu.put("workerJitMs", Samples.round((worker.compilerCpuMillis() - workerJit) / (double) calls));
        Map<String, Long> perCall = diff(awsCounts(), aws);
        ObjectNode requests = result.putObject("awsRequestsPerCall");
        double total = calls;
        perCall.forEach((k, v) -> requests.put(k, Samples.round(v / total)));
        steadyCpu(cpu);
        conversationCpu(cpu);
    }

    /** CPU milliseconds of this process: the driver and the in-process simulator playing OpenAI. */
    private static long ownCpuMillis() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
    }

    /**
     * CPU per call once the JIT has compiled the hot paths: the figure above counts the first calls after a short
     * warm-up, when the JVMs are still compiling (tens of seconds of compiler time), so it is mostly JIT. Here
     * {@code --steady} more calls (10 at once, each greeted and hung up) run first unmeasured, then as many again are
     * measured; a figure that still falls between the two halves is not steady yet, so both are kept.
     */
    private void steadyCpu(ObjectNode cpu) throws Exception {
        int n = options.steadyCalls();
        if (n <= 0) {
            return;
        }
        say("steady-state CPU: " + n + " calls to warm up, then " + n + " measured (10 at once)");
        ObjectNode steady = cpu.putObject("steady");
        steady.put("calls", n);
        Map<String, Long> frontCounts = Map.of();
        Map<String, Long> frontMicros = Map.of();
        for (String half : List.of("warmup", "measured")) {
            frontCounts = readCounts(logs.resolve("front.aws-requests.json"));
            frontMicros = readCounts(logs.resolve("front.aws-requests.json.micros"));
            cpuOfCalls(steady.putObject(half), n, null);
        }
        say("steady-state CPU per call: " + steady);
        // the front's AWS calls over the measured half: the SDK call as a whole, and its HTTP exchange alone
        Map<String, Long> counts = diff(readCounts(logs.resolve("front.aws-requests.json")), frontCounts);
        Map<String, Long> micros = diff(readCounts(logs.resolve("front.aws-requests.json.micros")), frontMicros);
        ObjectNode times = steady.putObject("frontAwsCallMs");
        counts.forEach((operation, sent) -> {
            if (micros.containsKey(operation + ".sdk")) {
                times.putObject(operation).put("calls", sent)
                        .put("sdk", Samples.round(micros.get(operation + ".sdk") / 1000.0 / sent))
                        .put("http", Samples.round(micros.getOrDefault(operation + ".http", 0L) / 1000.0 / sent));
            }
        });
        // one call at a time again, now that the JVMs are warm: the "@1" figures above are mostly JIT warm-up
        Map<String, Samples> samples = newSampleSet();
        for (CallTimes t : burst(options.sequential(), 1, true)) {
            t.addTo(samples);
        }
        ObjectNode node = ((ObjectNode) result.get("ringToGreeting")).putObject("1 warm");
        samples.forEach((k, v) -> node.set(k, Json.mapper().valueToTree(v.summary())));
        say("ring-to-greeting at 1 at once after the steady-state calls: greeting p50 " + samples.get("greeting").percentile(50)
                + " ms, p99 " + samples.get("greeting").percentile(99) + " ms");
    }

    /**
     * Runs {@code n} calls, 10 at once (each greeted, playing {@code scenario} when not null, then hung up), and puts
     * the CPU each process spent per call into {@code node}.
     */
    private void cpuOfCalls(ObjectNode node, int n, Scenario scenario) throws Exception {
        long frontCpu = front.cpuMillis();
        long workerCpu = worker.cpuMillis();
        long frontJit = front.compilerCpuMillis();
        long workerJit = worker.compilerCpuMillis();
        long enginesCpu = engines.cpuMillis();
        long benchCpu = ownCpuMillis();
        burst(n, 10, true, scenario);
        awaitSettled();
        node.put("frontMs", Samples.round((front.cpuMillis() - frontCpu) / (double) n));
        node.put("workerMs", Samples.round((worker.cpuMillis() - workerCpu) / (double) n));
        // not ours, but on the same 2 cores: what a burst of N calls costs besides our processes
        node.put("enginesMs", Samples.round((engines.cpuMillis() - enginesCpu) / (double) n));
        node.put("simulatorAndDriverMs", Samples.round((ownCpuMillis() - benchCpu) / (double) n));
        node.put("frontJitMs", Samples.round((front.compilerCpuMillis() - frontJit) / (double) n));
        node.put("workerJitMs", Samples.round((worker.compilerCpuMillis() - workerJit) / (double) n));
    }

    /**
     * CPU per call of a call with a conversation in it ({@link #CONVERSATION}: after the greeting, the caller and the
     * agent take {@link #CONVERSATION_EXCHANGES} turns each, every one spoken as OpenAI sends it, word by word in
     * transcript deltas), where the steady-state figure's calls are greeted and hung up at once. As there, the first
     * {@code --conversation} calls warm up and as many again are measured.
     */
    private void conversationCpu(ObjectNode cpu) throws Exception {
        int n = options.conversationCalls();
        if (n <= 0) {
            return;
        }
        say("conversation CPU: " + n + " calls of " + CONVERSATION_EXCHANGES + " exchanges to warm up, then " + n
                + " measured (10 at once)");
        ObjectNode conversation = cpu.putObject("conversation");
        conversation.put("calls", n);
        conversation.put("exchanges", CONVERSATION_EXCHANGES);
        for (String half : List.of("warmup", "measured")) {
            cpuOfCalls(conversation.putObject(half), n, CONVERSATION);
        }
        say("conversation CPU per call: " + conversation);
    }

    /** A batch of calls sent at once; each is greeted, then the caller hangs up (unless {@code hangUp} is false). */
    private List<CallTimes> burst(int count, int concurrency, boolean hangUp) throws Exception {
        return burst(count, concurrency, hangUp, null);
    }

    /** As {@link #burst(int, int, boolean)}, each call playing {@code scenario} (null: none) before it is hung up. */
    private List<CallTimes> burst(int count, int concurrency, boolean hangUp, Scenario scenario) throws Exception {
        List<CallTimes> times = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int done = 0; done < count; done += concurrency) {
                int n = Math.min(concurrency, count - done);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<CallTimes>> futures = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    futures.add(pool.submit(() -> {
                        go.await();
                        return ring(scenario);
                    }));
                }
                go.countDown();
                for (Future<CallTimes> f : futures) {
                    times.add(f.get());
                }
                if (hangUp) {
                    for (CallTimes t : times.subList(times.size() - n, times.size())) {
                        simulator.hangup(t.callId(), true);
                    }
                }
            }
        }
        return times;
    }

    record CallTimes(String callId, double webhookMs, double acceptMs, double attachMs, double greetingMs) {
        void addTo(Map<String, Samples> samples) {
            samples.get("webhookRtt").add(webhookMs);
            samples.get("accept").add(acceptMs);
            samples.get("socketOpen").add(attachMs);
            samples.get("greeting").add(greetingMs);
        }
    }

    private static Map<String, Samples> newSampleSet() {
        Map<String, Samples> m = new LinkedHashMap<>();
        for (String k : List.of("webhookRtt", "accept", "socketOpen", "greeting")) {
            m.put(k, new Samples());
        }
        return m;
    }

    /**
     * One incoming call: webhook sent → 200, accept at OpenAI, socket opened, greeting requested; then, with a
     * {@code scenario}, that scenario played to its end.
     */
    private CallTimes ring(Scenario scenario) throws Exception {
        IncomingCallSpec spec = IncomingCallSpec.random();
        if (scenario != null) {
            simulator.useScenario(spec.callId(), scenario);
        }
        Instant sent = Instant.now();
        long sentNanos = System.nanoTime();
        HttpResponse<String> response = sendWebhook(frontUrl, spec);
        // as OpenAI does, a 5xx is delivered again (a loaded machine times out an accept now and then); counted
        for (int attempt = 2; attempt <= 3 && response.statusCode() / 100 == 5; attempt++) {
            webhookRedeliveries.incrementAndGet();
            response = sendWebhook(frontUrl, spec);
        }
        double webhookMs = (System.nanoTime() - sentNanos) / 1e6;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("webhook answered " + response.statusCode() + " " + response.body());
        }
        String callId = spec.callId();
        simulator.awaitClientEvent(callId, "response.create", STEP);
        double greetingMs = (System.nanoTime() - sentNanos) / 1e6;
        if (scenario != null) {
            CallSnapshot played = simulator.awaitCall(callId,
                    c -> c.scenarioFinished() || c.scenarioFailure() != null, STEP);
            if (played.scenarioFailure() != null) {
                throw new IllegalStateException("scenario " + scenario.name() + " failed on " + callId + ": "
                        + played.scenarioFailure());
            }
        }
        return new CallTimes(callId, webhookMs, since(sent, callId, ConnectorRequest.Endpoint.ACCEPT),
                since(sent, callId, ConnectorRequest.Endpoint.ATTACH), greetingMs);
    }

    /** Posts a signed {@code realtime.call.incoming} for {@code spec} to the front at {@code base}. */
    private HttpResponse<String> sendWebhook(URI base, IncomingCallSpec spec) throws Exception {
        byte[] body = WebhookEvent.incomingCall(spec, clock).body();
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/openai/webhook"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("content-type", "application/json");
        sender.signedHeaders("msg_" + UUID.randomUUID().toString().replace("-", ""), body).forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private double since(Instant sent, String callId, ConnectorRequest.Endpoint endpoint) {
        return simulator.requests(callId).stream().filter(r -> r.endpoint() == endpoint).findFirst()
                .map(r -> Duration.between(sent, r.receivedAt()).toNanos() / 1e6).orElse(Double.NaN);
    }

    // ---------------------------------------------------------------- live calls: idle cost, hang-up latency

    private void liveScenarios() throws Exception {
        ObjectNode live = result.putObject("liveCalls");
        for (int n : options.live()) {
            ProcessLimits.requireOpenFiles(ProcessHandle.current().pid(), "bench (the simulator holds every call's socket)", n, this::say);
            ProcessLimits.requireOpenFiles(worker.pid(), "worker", n, this::say);
            say("holding " + n + " live calls");
            ObjectNode node = live.putObject(Integer.toString(n));
            long heapBefore = liveHeap(worker, "before-" + n);
            long filesBefore = ProcessLimits.openFiles(worker.pid());
            List<CallTimes> calls = burst(n, 50, false);
            awaitQuiet(worker);
            long heapLive = liveHeap(worker, "live-" + n);
            node.put("workerHeapAfterGcBeforeKb", heapBefore / 1024);
            node.put("workerHeapAfterGcKb", heapLive / 1024);
            node.put("workerThreads", ProcessLimits.threads(worker.pid()));
            node.put("workerOpenFiles", ProcessLimits.openFiles(worker.pid()));
            Map<String, Long> aws = awsCounts();
            long cpu = worker.cpuMillis();
            long t0 = System.nanoTime();
            awaitFor(Duration.ofSeconds(options.holdSeconds()));
            double seconds = (System.nanoTime() - t0) / 1e9;
            node.put("idleWindowSeconds", Samples.round(seconds));
            node.put("idleWorkerCores", Math.round((worker.cpuMillis() - cpu) / seconds) / 1000.0);
            Map<String, Long> idle = diff(awsCounts(), aws);
            ObjectNode perMinute = node.putObject("awsRequestsPerIdleCallMinute");
            idle.forEach((k, v) -> perMinute.put(k, Math.round(v / (double) n / (seconds / 60) * 1000) / 1000.0));
            Map<String, Samples> greet = newSampleSet();
            Samples fromQueue = new Samples();
            for (CallTimes t : burst(options.liveGreetings(), 1, true)) {
                t.addTo(greet);
                fromQueue.add(t.greetingMs() - t.webhookMs());
            }
            node.set("greetingWithLiveCalls", Json.mapper().valueToTree(greet.get("greeting").summary()));
            node.set("queueToGreetingWithLiveCalls", Json.mapper().valueToTree(fromQueue.summary()));
            if (n == options.live().getFirst()) {
                int half = Math.min(50, calls.size() / 2);
                hangupScenario(calls.subList(0, 2 * half));
                calls = calls.subList(2 * half, calls.size());
            }
            hangUpPaced(calls);
            awaitSocketsClosed(worker, filesBefore);
            awaitQuiet(worker);
            long heapAfter = liveHeap(worker, "ended-" + n);
            node.put("workerHeapAfterGcWhenEmptyKb", heapAfter / 1024);
            node.put("heapPerLiveCallKb", Samples.round((heapLive - heapBefore) / 1024.0 / n));
            node.put("heapRetainedPerEndedCallKb", Samples.round((heapAfter - heapBefore) / 1024.0 / n));
            say("live " + n + ": " + node);
        }
        if (!options.liveOnly()) {
            price();
        }
    }

    /**
     * The callers hang up 50 at a time, each batch once the worker has seen its calls end (its re-attach answered
     * 404): thousands of hang-ups in one instant are no real load, and on a loaded machine they would time out
     * attaches until the worker counts itself unhealthy.
     */
    private void hangUpPaced(List<CallTimes> calls) {
        for (int from = 0; from < calls.size(); from += 50) {
            List<CallTimes> batch = calls.subList(from, Math.min(calls.size(), from + 50));
            batch.forEach(t -> simulator.hangup(t.callId(), true));
            for (CallTimes t : batch) {
                simulator.awaitRequest(r -> t.callId().equals(r.callId()) && r.endpoint() == ConnectorRequest.Endpoint.ATTACH
                        && r.status() == 404, STEP);
            }
        }
    }

    /** Waits (up to 2 minutes) until the worker has closed its calls' sockets: back to its open files before them. */
    private void awaitSocketsClosed(Child child, long filesBefore) {
        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < until && ProcessLimits.openFiles(child.pid()) > filesBefore + 64) {
            awaitFor(Duration.ofMillis(500)); // polling another process's /proc
        }
    }

    /**
     * Waits until the worker's CPU use stops falling (2 s samples, at most 90 s): the end of the calls' set-up work
     * (control queues, journal writes) must not be counted as idle cost.
     */
    private void awaitQuiet(Child child) {
        double previous = Double.MAX_VALUE;
        long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < until) {
            long cpu = child.cpuMillis();
            long t0 = System.nanoTime();
            awaitFor(Duration.ofSeconds(2));
            double cores = (child.cpuMillis() - cpu) / ((System.nanoTime() - t0) / 1e6);
            if (cores >= previous * 0.8 || cores < 0.02) {
                return;
            }
            previous = cores;
        }
    }

    /**
     * Operator hang-up through the control API, one at a time, while the other calls stay live. The path is warmed
     * first, unmeasured, as the ring-to-greeting figures are: one live-instructions command per call (the control
     * handler's route, auth, store reads and the worker's command path; the call stays live), then the first
     * {@value #HANGUP_WARM_UP} calls hung up the same way as the measured ones.
     */
    private void hangupScenario(List<CallTimes> calls) throws Exception {
        int warmed = 0;
        for (CallTimes call : calls) {
            HttpResponse<String> response = http.send(controlRequest(call.callId(), "instructions",
                    "{\"text\":\"Keep answers short.\",\"respond\":false}"), HttpResponse.BodyHandlers.ofString());
            warmed += response.statusCode() / 100 == 2 ? 1 : 0;
        }
        int warm = Math.min(HANGUP_WARM_UP, calls.size() / 4);
        ObjectNode node = result.putObject("operatorHangup");
        node.put("liveCalls", options.live().getFirst());
        node.put("warmUpCommands2xx", warmed);
        Samples warmUp = hangUps(calls.subList(0, warm), Duration.ZERO, Json.object());
        node.put("warmUpHangups", warmUp.size());
        List<CallTimes> measured = calls.subList(warm, calls.size());
        int half = measured.size() / 2;
        // back to back: each hang-up is sent as soon as the one before was answered, while that call's end (its
        // store writes, summary, queue clean-up) may still run
        Samples reached = hangUps(measured.subList(0, half), Duration.ZERO, node);
        // paced as an operator acts: one every half second, each alone on the machine
        Samples alone = hangUps(measured.subList(half, measured.size()), HANGUP_PACE, node.putObject("paced"));
        node.with("paced").put("paceMs", HANGUP_PACE.toMillis());
        say("operator hang-up: request to hang-up at OpenAI p50 " + reached.percentile(50) + " ms, p99 "
                + reached.percentile(99) + "; paced " + alone.percentile(50) + " / " + alone.percentile(99));
    }

    /** One operator hang-up per call, {@code pace} apart; the figures go into {@code node}. */
    private Samples hangUps(List<CallTimes> calls, Duration pace, ObjectNode node) throws Exception {
        Samples rtt = new Samples();
        Samples reached = new Samples();
        int ok = 0;
        for (CallTimes call : calls) {
            if (pace.isPositive()) {
                Thread.sleep(pace); // the load model (an operator's pace), not a synchronisation
            }
            HttpRequest request = controlRequest(call.callId(), "hangup", "{\"reason\":\"bench\"}");
            Instant sent = Instant.now();
            long n0 = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            rtt.add((System.nanoTime() - n0) / 1e6);
            ok += response.statusCode() / 100 == 2 ? 1 : 0;
            ConnectorRequest hangup = simulator.awaitRequest(call.callId(), ConnectorRequest.Endpoint.HANGUP, STEP);
            reached.add(Duration.between(sent, hangup.receivedAt()).toNanos() / 1e6);
        }
        node.put("answered2xx", ok);
        node.set("controlRtt", Json.mapper().valueToTree(rtt.summary()));
        node.set("requestToHangupAtOpenAi", Json.mapper().valueToTree(reached.summary()));
        return reached;
    }

    private HttpRequest controlRequest(String callId, String action, String body) {
        return HttpRequest.newBuilder(frontUrl.resolve("/control/calls/" + callId + "/" + action))
                .timeout(Duration.ofSeconds(30))
                .header("authorization", "Bearer " + controlToken)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    // ---------------------------------------------------------------- cost

    private void price() {
        JsonNode perCall = result.path("awsRequestsPerCall");
        JsonNode idle = result.path("liveCalls").path(Integer.toString(options.live().getFirst())).path("awsRequestsPerIdleCallMinute");
        double minutes = Prices.ASSUMED_CALL_MINUTES;
        Map<String, Double> perCallMinute = new TreeMap<>();
        perCall.fields().forEachRemaining(f -> perCallMinute.merge(f.getKey(), f.getValue().asDouble() / minutes, Double::sum));
        idle.fields().forEachRemaining(f -> perCallMinute.merge(f.getKey(), f.getValue().asDouble(), Double::sum));
        double writes = 0;
        double reads = 0;
        double sqs = 0;
        for (var e : perCallMinute.entrySet()) {
            String op = e.getKey();
            double v = e.getValue();
            // one unit per request: every item the system writes or reads is well under 1 KB / 4 KB
            if (op.equals("DynamoDb.TransactWriteItems.items")) {
                writes += 2 * v; // a transactional write costs two units per item
            } else if (op.startsWith("DynamoDb.TransactWriteItems")) {
                continue;
            } else if (op.matches("DynamoDb\\.(PutItem|UpdateItem|DeleteItem|BatchWriteItem)")) {
                writes += v;
            } else if (op.startsWith("DynamoDb.")) {
                reads += v;
            } else if (op.startsWith("Sqs.")) {
                sqs += v;
            }
        }
        double lambdaInvocations = 1 / minutes; // one webhook per call
        double webhookSeconds = result.path("ringToGreeting").path("1").path("webhookRtt").path("p50").asDouble() / 1000;
        double workerCpuSeconds = result.path("cpuPerCall").path("workerMs").asDouble() / 1000 / minutes
                + result.path("liveCalls").path(Integer.toString(options.live().getFirst())).path("idleWorkerCores").asDouble()
                / options.live().getFirst() * 60;
        double heapGb = Math.max(0, result.path("liveCalls").path(Integer.toString(options.live().getFirst()))
                .path("heapPerLiveCallKb").asDouble()) / 1024 / 1024;
        ObjectNode cost = result.putObject("costPer1000CallMinutes");
        cost.put("pricesAsOf", Prices.AS_OF);
        cost.put("assumedCallMinutes", minutes);
        cost.put("dynamoWriteUnitsPerCallMinute", Samples.round(writes * 100) / 100);
        cost.put("dynamoReadUnitsPerCallMinute", Samples.round(reads * 100) / 100);
        cost.put("sqsRequestsPerCallMinute", Samples.round(sqs * 100) / 100);
        double dynamo = 1000 * (writes * Prices.DYNAMODB_PER_MILLION_WRITE_UNITS + reads * Prices.DYNAMODB_PER_MILLION_READ_UNITS) / 1e6;
        double queue = 1000 * sqs * Prices.SQS_STANDARD_PER_MILLION_REQUESTS / 1e6;
        double lambda = 1000 * (lambdaInvocations * Prices.LAMBDA_PER_MILLION_REQUESTS / 1e6
                + lambdaInvocations * webhookSeconds * Prices.LAMBDA_MEMORY_GB * Prices.LAMBDA_PER_GB_SECOND);
        double fargate = 1000 * (workerCpuSeconds * Prices.FARGATE_PER_VCPU_HOUR / 3600 + heapGb * 60 * Prices.FARGATE_PER_GB_HOUR / 3600);
        cost.put("dynamoDbUsd", round4(dynamo));
        cost.put("sqsUsd", round4(queue));
        cost.put("lambdaUsd", round4(lambda));
        cost.put("fargateUsdConsumed", round4(fargate));
        cost.put("totalUsd", round4(dynamo + queue + lambda + fargate));
    }

    private static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    // ---------------------------------------------------------------- fresh-process start

    private void startScenarios() throws Exception {
        ObjectNode starts = result.putObject("freshStartMs");
        Path aot = options.out().resolve("aot");
        Files.createDirectories(aot);
        String webhookJar = "webhook-lambda/target/webhook-lambda.jar";
        String controlJar = "control-lambda/target/control-lambda.jar";
        String probeClasses = "infra/bench/target/bench-1.0.0.jar"; // AOT training accepts jars only
        Child tmpFront = startFront(); // places the worker's first call
        try {
            for (String handler : List.of("webhook", "control")) {
                String cp = (handler.equals("webhook") ? webhookJar : controlJar) + java.io.File.pathSeparator + probeClasses;
                Path cache = aot.resolve(handler + ".aot");
                Path config = aot.resolve(handler + ".aotconf");
                probe(handler, cp, List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + config), 1, Map.of()); // training
                boolean built = createAotCache(handler, config, cache, cp);
                ObjectNode node = starts.putObject(handler + "Handler");
                StartFigure plain = probe(handler, cp, List.of(), options.startRuns(), Map.of());
                StartFigure withCache = built ? probe(handler, cp, List.of("-XX:AOTCache=" + cache), options.startRuns(), Map.of())
                        : StartFigure.NONE;
                plain.put(node, "default");
                withCache.put(node, "aotCache");
                // as the Lambda runs it: the JVM options template.yaml gives the functions, through the same variable
                String lambdaOptions = LambdaJvmOptions.fromTemplate(Path.of("template.yaml"), handler);
                node.put("lambdaJvmOptions", lambdaOptions);
                (built ? probe(handler, cp, List.of("-XX:AOTCache=" + cache), options.startRuns(),
                        Map.of(LambdaJvmOptions.VARIABLE, lambdaOptions)) : StartFigure.NONE).put(node, "aotCacheLambdaOptions");
                say(handler + " handler fresh start to first response: " + node);
            }
            String workerJar = options.workerJar();
            Path cache = aot.resolve("worker.aot");
            Path config = aot.resolve("worker.aotconf");
            workerStart(tmpFront, List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + config), 1, "worker-train");
            boolean built = createAotCache("worker", config, cache, workerJar);
            ObjectNode node = starts.putObject("worker");
            workerStart(tmpFront, List.of(), options.startRuns(), "worker-start").put(node, "default");
            (built ? workerStart(tmpFront, List.of("-XX:AOTCache=" + cache), options.startRuns(), "worker-start-aot")
                    : StartFigure.NONE).put(node, "aotCache");
            say("worker fresh start to first greeting: " + node);
        } finally {
            tmpFront.close();
        }
    }

    /** Wall and CPU milliseconds from a fresh JVM's spawn to its first answer (median of the runs). */
    record StartFigure(double wallMs, double cpuMs, double mainThreadCpuMs) {
        static final StartFigure NONE = new StartFigure(Double.NaN, Double.NaN, Double.NaN);

        void put(ObjectNode node, String prefix) {
            node.put(prefix + "Ms", wallMs);
            node.put(prefix + "CpuMs", cpuMs);
            if (!Double.isNaN(mainThreadCpuMs)) {
                node.put(prefix + "MainThreadCpuMs", mainThreadCpuMs);
            }
        }
    }

    /**
     * The second step of JDK 25's two-step AOT workflow: assembles {@code cache} from the configuration a training run
     * recorded at its (normal) exit. Run here and awaited, so no cache assembly is left running in the background.
     */
    private boolean createAotCache(String name, Path config, Path cache, String classpath) throws Exception {
        Files.deleteIfExists(cache);
        if (!Files.exists(config)) {
            say("no AOT configuration was recorded at " + config + "; see the " + name + " training run's log");
            return false;
        }
        List<String> command = List.of(javaBin(), "-XX:AOTMode=create", "-XX:AOTConfiguration=" + config,
                "-XX:AOTCache=" + cache, "-cp", classpath);
        try (Child create = Child.start(name + "-aot-create", command, env, null, logs)) {
            if (!create.process.waitFor(10, java.util.concurrent.TimeUnit.MINUTES) || create.process.exitValue() != 0) {
                say("the " + name + " AOT cache was not assembled; see " + logs.resolve(name + "-aot-create.log"));
                return false;
            }
        }
        return Files.exists(cache);
    }

    /** Median of {@code runs} fresh JVMs: spawn → the handler's first real response; {@code extraEnv} on top of the env. */
    private StartFigure probe(String handler, String classpath, List<String> flags, int runs, Map<String, String> extraEnv)
            throws Exception {
        Map<String, String> probeEnv = new LinkedHashMap<>(env);
        probeEnv.putAll(extraEnv);
        Samples wall = new Samples();
        Samples cpu = new Samples();
        Samples mainThread = new Samples();
        for (int i = 0; i < runs; i++) {
            Path request = options.out().resolve(handler + "-probe-request.txt");
            Files.writeString(request, probeRequest(handler));
            List<String> command = new ArrayList<>(List.of(javaBin()));
            command.addAll(flags);
            command.addAll(List.of("-cp", classpath, "ai.phoneagent.bench.HandlerProbe", handler, request.toString()));
            try (Child child = Child.start(handler + "-probe", command, probeEnv, "FIRST_RESPONSE", logs)) {
                Map<String, String> answer = fields(child.awaitMarker(Duration.ofSeconds(120)));
                wall.add((System.nanoTime() - child.startedNanos) / 1e6);
                cpu.add(Double.parseDouble(answer.getOrDefault("cpuMs", "NaN")));
                mainThread.add(Double.parseDouble(answer.getOrDefault("mainThreadCpuMs", "NaN")));
                child.process.waitFor(); // a training run records its AOT configuration as it exits
            }
        }
        for (String callId : probeCalls) {
            try {
                simulator.hangup(callId, true); // the caller is gone before any worker takes it: no live call piles up
            } catch (RuntimeException notAccepted) {
                // the probe failed before its accept; its log says why
            }
        }
        probeCalls.clear();
        return new StartFigure(Samples.round(wall.percentile(50)), Samples.round(cpu.percentile(50)),
                Samples.round(mainThread.percentile(50)));
    }

    private String probeRequest(String handler) {
        if (handler.equals("control")) {
            return "GET\n/control/calls\nauthorization: Bearer " + controlToken + "\n\n";
        }
        IncomingCallSpec spec = IncomingCallSpec.random();
        probeCalls.add(spec.callId());
        WebhookEvent event = WebhookEvent.incomingCall(spec, clock);
        byte[] body = event.body();
        StringBuilder text = new StringBuilder("POST\n/openai/webhook\ncontent-type: application/json\n");
        sender.signedHeaders("msg_" + UUID.randomUUID().toString().replace("-", ""), body)
                .forEach((k, v) -> text.append(k).append(": ").append(v).append('\n'));
        return text.append('\n').append(new String(body, StandardCharsets.UTF_8)).toString();
    }

    /**
     * A call is queued while no worker runs; then a fresh worker JVM starts: spawn → its greeting at OpenAI (wall, and
     * the worker's CPU time read right then). Each worker is stopped by SIGTERM after its call ended and must exit by
     * itself (a training run records its AOT configuration at that exit).
     */
    private StartFigure workerStart(Child via, List<String> flags, int runs, String name) throws Exception {
        Samples wall = new Samples();
        Samples cpu = new Samples();
        for (int i = 0; i < runs; i++) {
            IncomingCallSpec spec = IncomingCallSpec.random();
            HttpResponse<String> response = sendWebhook(URI.create("http://127.0.0.1:" + fields(via.awaitMarker(STEP)).get("port")), spec);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("webhook for the worker start answered " + response.statusCode());
            }
            try (Child w = startWorker(flags, name)) {
                simulator.awaitClientEvent(spec.callId(), "response.create", Duration.ofSeconds(120));
                wall.add((System.nanoTime() - w.startedNanos) / 1e6);
                cpu.add(w.cpuMillis());
                simulator.hangup(spec.callId(), true);
                w.close(Duration.ofMinutes(3));
                if (w.process.isAlive() || w.process.exitValue() == 137) {
                    say(name + " did not exit by itself after SIGTERM");
                }
            }
        }
        return new StartFigure(Samples.round(wall.percentile(50)), Samples.round(cpu.percentile(50)), Double.NaN);
    }

    // ---------------------------------------------------------------- processes

    private Child startFront() throws IOException {
        // BENCH_FRONT_JVM_FLAGS, e.g. "-XX:StartFlightRecording=filename=front.jfr", to profile the handlers
        List<String> flags = System.getenv().getOrDefault("BENCH_FRONT_JVM_FLAGS", "").isBlank() ? List.of()
                : List.of(System.getenv("BENCH_FRONT_JVM_FLAGS").trim().split("\\s+"));
        List<String> all = new ArrayList<>(List.of(KEEP_COMPILER_THREADS));
        // the handlers run as the Lambdas run them: the JVM options template.yaml gives both functions (one value,
        // held so by template-checks); BENCH_FRONT_DEFAULT_JVM=1 measures them on the JVM's defaults instead
        if (!"1".equals(System.getenv("BENCH_FRONT_DEFAULT_JVM"))) {
            all.addAll(List.of(LambdaJvmOptions.fromTemplate(Path.of("template.yaml"), "webhook").trim().split("\\s+")));
        }
        all.addAll(flags);
        Child child = Child.start("front", java(all, "ai.phoneagent.bench.FrontMain"), withCounts("front"), "READY", logs);
        frontUrl = URI.create("http://127.0.0.1:" + fields(child.awaitMarker(Duration.ofMinutes(3))).get("port"));
        return child;
    }

    private Child startWorker(List<String> flags, String name) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBin()));
        command.addAll(WorkerJvmOptions.read(options.workerJvmOptions())); // as the image runs it
        if (name.equals("worker")) { // the measured worker; start figures and AOT training run as deployed
            command.add(KEEP_COMPILER_THREADS);
        }
        // BENCH_WORKER_JVM_FLAGS, e.g. "-XX:StartFlightRecording=filename=worker.jfr", to profile the worker
        String extra = System.getenv().getOrDefault("BENCH_WORKER_JVM_FLAGS", "").trim();
        if (!extra.isEmpty() && name.equals("worker")) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(flags);
        command.addAll(List.of("-jar", options.workerJar()));
        return Child.start(name, command, withCounts(name), null, logs);
    }

    private Map<String, String> withCounts(String name) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("AWS_REQUEST_COUNTS_FILE", logs.resolve(name + ".aws-requests.json").toAbsolutePath().toString());
        return e;
    }

    private Map<String, String> baseEnv(Map<String, String> engines) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("AWS_REGION", "us-east-1");
        e.put("AWS_ENDPOINT_URL_SQS", engines.get("sqs"));
        e.put("AWS_ENDPOINT_URL_DYNAMODB", engines.get("dynamo"));
        e.put("AWS_ACCESS_KEY_ID", "local");
        e.put("AWS_SECRET_ACCESS_KEY", "local");
        e.put("CALLS_TABLE", "calls");
        e.put("CALLS_QUEUE_URL", engines.get("queue"));
        e.put("CONTROL_QUEUE_PREFIX", "call-control-");
        e.put("OPENAI_API_KEY", apiKey);
        e.put("OPENAI_BASE_URL", simulator.baseUrl().toString());
        e.put("OPENAI_WEBHOOK_SECRET", webhookSecret);
        e.put("CONTROL_API_TOKEN", controlToken);
        e.put("HEALTH_PORT", "0");
        e.put("WORKER_CAPACITY", "10000");
        e.put("LOG_LEVEL", "WARN");
        return e;
    }

    private Map<String, Long> awsCounts() {
        Map<String, Long> total = new TreeMap<>();
        for (String name : List.of("front", "worker")) {
            readCounts(logs.resolve(name + ".aws-requests.json")).forEach((k, v) -> total.merge(k, v, Long::sum));
        }
        return total;
    }

    /** A flat JSON object of numbers written by {@code AwsRequestCounter}; empty when missing. */
    private static Map<String, Long> readCounts(Path file) {
        Map<String, Long> values = new TreeMap<>();
        try {
            if (Files.exists(file)) {
                Json.mapper().readTree(Files.readString(file)).fields()
                        .forEachRemaining(f -> values.put(f.getKey(), f.getValue().asLong()));
            }
        } catch (IOException ignored) {
            // a half-written file is never seen (atomic move); a missing one counts zero
        }
        return values;
    }

    private static Map<String, Long> diff(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> d = new TreeMap<>();
        after.forEach((k, v) -> {
            long delta = v - before.getOrDefault(k, 0L);
            if (delta != 0) {
                d.put(k, delta);
            }
        });
        return d;
    }

    /** Lets in-flight end-of-call work finish and the request-count files catch up (they are rewritten every 200 ms). */
    private void awaitSettled() {
        awaitFor(Duration.ofSeconds(2));
    }

    private static void awaitFor(Duration d) {
        try {
            Thread.sleep(d); // a measurement window, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The worker's live heap: the total of {@code jcmd GC.class_histogram}, which counts the objects left by the full
     * GC it runs first (the "used" of {@code GC.heap_info} read after {@code GC.run} also counts what was allocated
     * in between, tens of MB on a busy 5,000-call worker). The biggest classes go to
     * {@code logs/worker-histogram-<label>.txt}: what a call's heap is made of.
     */
    private long liveHeap(Child child, String label) throws Exception {
        String text = jcmd(child.pid(), "GC.class_histogram");
        Files.writeString(logs.resolve("worker-histogram-" + label + ".txt"),
                String.join("\n", text.lines().limit(60).toList()) + "\n");
        var total = java.util.regex.Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(text);
        return total.find() ? Long.parseLong(total.group(1)) : -1;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }

    private List<String> java(List<String> flags, String main) {
        List<String> command = new ArrayList<>(List.of(javaBin()));
        command.addAll(flags);
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", ownJar(), main));
        return command;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String ownJar() {
        try {
            return Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                m.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return m;
    }

    private static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private void say(String line) {
        out.println("bench | " + line);
        out.flush();
    }
}
