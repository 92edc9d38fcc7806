package ai.phoneagent.localstack;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.config.Env;
import ai.phoneagent.control.ControlConfig;
import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.control.ControlService;
import ai.phoneagent.localaws.LocalAws;
import ai.phoneagent.localaws.LocalResources;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.SimulatorConfig;
import ai.phoneagent.simulator.discord.FakeDiscord;
import ai.phoneagent.simulator.twilio.FakeTwilio;
import ai.phoneagent.webhook.WebhookApp;
import ai.phoneagent.webhook.WebhookConfig;
import ai.phoneagent.webhook.WebhookHandler;
import ai.phoneagent.worker.tools.TwilioClientFactory;
import ai.phoneagent.worker.SessionWorker;
import ai.phoneagent.worker.WorkerConfig;
import ai.phoneagent.worker.WorkerDeps;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole system in one process: the webhook and control APIs behind an API Gateway look-alike, one session
 * worker (unless {@code LOCAL_STACK_WORKER=false}), and whatever the environment leaves unconfigured filled in
 * locally: embedded AWS engines, the OpenAI simulator (with a fake Discord and a fake Twilio beside it), and
 * generated secrets. Every listener binds loopback unless {@code LOCAL_STACK_HOST} says otherwise (the simulator
 * and its fakes always bind loopback).
 */
public final class LocalStack implements AutoCloseable {
    static final String DEFAULT_TABLE = "calls";
    static final String DEFAULT_QUEUE = "calls";
    /**
     * What a separate worker process needs to join this stack (see {@link #workerEnvironment()}): where the engines,
     * OpenAI (the simulator), Discord and Twilio (the fake) answer, and the agent's settings, so a separate worker
     * runs the very tools the webhook offered at accept (a warm transfer goes through the stack's fake Twilio), greets
     * the same way and summarises and publishes the same. Never the front's own secrets (webhook secret, API token).
     */
    private static final List<String> WORKER_VARIABLES = List.of("AWS_REGION", "AWS_ENDPOINT_URL_SQS",
            "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "CALLS_TABLE", "CALLS_QUEUE_URL",
            "CONTROL_QUEUE_PREFIX", "OPENAI_API_KEY", "OPENAI_BASE_URL", "DISCORD_WEBHOOK_URL", "DISCORD_MASK_NUMBERS",
            // the agent: what it says first, which tools it has and how they reach Twilio
            "WELCOME_MESSAGE", "END_CALL_ENABLED", "HUMAN_AGENT_NUMBER", "TRANSFER_TARGETS", "TRANSFER_DEFAULT_TARGET",
            "TRANSFER_MODE", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_HUMAN_LABEL", "TWILIO_API_BASE_URL",
            "TWILIO_STATUS_CALLBACK_URL", "HTTP_TOOLS", "HTTP_TOOLS_PATH",
            // after the call: its summary and the events for the user's own systems
            "SUMMARY_MODEL", "CALL_EVENTS_QUEUE_URL", "CALL_EVENTS_URL", "CALL_EVENTS_SECRET");

    private final List<AutoCloseable> resources;
    private final ApiGatewayBridge bridge;
    private final Env env;
    private final Optional<ConnectorSimulator> simulator;
    private final Optional<FakeDiscord> discord;
    private final Optional<FakeTwilio> twilio;
    private final Optional<SessionWorker> worker;
    private final CallStore store;
    private final Map<String, String> generated;
    private final ConsoleSite console;

    private LocalStack(List<AutoCloseable> resources, ApiGatewayBridge bridge, Env env,
                       Optional<ConnectorSimulator> simulator, Optional<FakeDiscord> discord, Optional<FakeTwilio> twilio,
                       Optional<SessionWorker> worker, CallStore store, Map<String, String> generated, ConsoleSite console) {
        this.console = console;
        this.resources = resources;
        this.bridge = bridge;
        this.env = env;
        this.simulator = simulator;
        this.discord = discord;
        this.twilio = twilio;
        this.worker = worker;
        this.store = store;
        this.generated = Map.copyOf(generated);
    }

    /** Starts everything; {@code given} is the user's environment. */
    public static LocalStack start(Env given, Clock clock) throws IOException {
        List<AutoCloseable> resources = new ArrayList<>();
        Map<String, String> defaults = new HashMap<>();
        Map<String, String> generated = new HashMap<>();
        try {
            String host = given.get("LOCAL_STACK_HOST", LocalAws.LOOPBACK);
            // bound first: its port (0: any free one) goes into the other parts' configuration
            ApiGatewayBridge.Bound listener = ApiGatewayBridge.bind(host, given.intValue("PORT", 3000, 0, 65_535));
            resources.add(listener);
            int port = listener.port();
            String base = "http://127.0.0.1:" + port;

            // AWS: embedded engines unless the environment points somewhere real.
            AwsSettings aws;
            if (usesExternalAws(given)) {
                aws = AwsSettings.fromEnv(given);
            } else {
                LocalAws local = LocalAws.start(host, given.intValue("LOCAL_STACK_SQS_PORT", 0, 0, 65_535),
                        given.intValue("LOCAL_STACK_DYNAMODB_PORT", 0, 0, 65_535));
                resources.add(local);
                aws = local.settings();
                defaults.put("AWS_REGION", aws.region());
                defaults.put("AWS_ENDPOINT_URL_SQS", local.sqsEndpoint().toString());
                defaults.put("AWS_ENDPOINT_URL_DYNAMODB", local.dynamoEndpoint().toString());
                defaults.put("AWS_ACCESS_KEY_ID", "local");
                defaults.put("AWS_SECRET_ACCESS_KEY", "local");
            }
            AwsClients clients = new AwsClients(aws);
            String table = given.get("CALLS_TABLE", DEFAULT_TABLE);
            // the table and the queues side by side: each engine answers its first request slowly
            var tableReady = java.util.concurrent.CompletableFuture.runAsync(
                    () -> LocalResources.createTable(clients.dynamo(), table),
                    runnable -> Thread.ofVirtual().name("table-create").start(runnable));
            String queueUrl = given.optional("CALLS_QUEUE_URL")
                    .orElseGet(() -> LocalResources.createCallsQueue(clients.sqs(), DEFAULT_QUEUE, 30));
            tableReady.join();
            defaults.put("CALLS_TABLE", table);
            defaults.put("CALLS_QUEUE_URL", queueUrl);
            defaults.put("CONTROL_QUEUE_PREFIX", "call-control-");
            // call-event webhooks: the queue always exists; posting starts when CALL_EVENTS_URL is set
            defaults.put("CALL_EVENTS_QUEUE_URL", given.optional("CALL_EVENTS_QUEUE_URL")
                    .orElseGet(() -> LocalResources.createCallsQueue(clients.sqs(), DEFAULT_QUEUE + "-events", 60)));
            defaults.put("HEALTH_PORT", "0");
            defaults.put("HEALTH_HOST", host);

            // OpenAI: the simulator unless a real key is given; with it come a fake Discord and a fake Twilio.
            Optional<ConnectorSimulator> simulator = Optional.empty();
            Optional<FakeDiscord> discord = Optional.empty();
            Optional<FakeTwilio> twilio = Optional.empty();
            if (given.optional("OPENAI_API_KEY").isEmpty()) {
                String key = "sk-local-" + random(16);
                // calls placed by hand play a conversation that ends by itself; the demo call gets its own scenario
                SimulatorConfig.Builder simConfig = SimulatorConfig.builder().apiKey(key)
                        .port(given.intValue("LOCAL_STACK_SIMULATOR_PORT", 0, 0, 65_535));
                // LOCAL_STACK_SCENARIO: what calls placed by hand play instead (e.g. console-demo waits for an operator)
                given.optional("LOCAL_STACK_SCENARIO").map(ai.phoneagent.simulator.scenario.Scenario::load)
                        .ifPresent(simConfig::defaultScenario);
                ConnectorSimulator sim = ConnectorSimulator.start(simConfig.build());
                resources.add(sim);
                simulator = Optional.of(sim);
                defaults.put("OPENAI_API_KEY", key);
                defaults.put("OPENAI_BASE_URL", sim.baseUrl().toString());
                // the simulator answers the Responses API too: every call gets a summary locally
                defaults.put("SUMMARY_MODEL", "gpt-4.1-mini");
                if (!given.declared("DISCORD_WEBHOOK_URL")) {
                    FakeDiscord fake = FakeDiscord.start();
                    resources.add(fake);
                    discord = Optional.of(fake);
                    defaults.put("DISCORD_WEBHOOK_URL", fake.webhookUrl());
                }
                if (given.optional("HUMAN_AGENT_NUMBER").isEmpty() && given.optional("TRANSFER_TARGETS").isEmpty()) {
                    String sid = "AC" + random(16);
                    String token = random(16);
                    FakeTwilio fake = FakeTwilio.start(sid, token);
                    resources.add(fake);
                    twilio = Optional.of(fake);
                    defaults.put("HUMAN_AGENT_NUMBER", "+15005550006");
                    defaults.put("TWILIO_ACCOUNT_SID", sid);
                    defaults.put("TWILIO_AUTH_TOKEN", token);
                    OutboundDemo.defaults(defaults, fake);
                }
            }
            defaults.put("TWILIO_STATUS_CALLBACK_URL", base + "/twilio/conference-events");
            putGenerated(given, defaults, generated, "OPENAI_WEBHOOK_SECRET", "whsec_" + java.util.Base64.getEncoder()
                    .encodeToString(new SecureRandom().generateSeed(24)));
            putGenerated(given, defaults, generated, "CONTROL_API_TOKEN", "local-" + random(16));
            Env env = given.withDefaults(defaults);

            CallStore store = new CallStore(clients.dynamo(), table);
            CallsQueue queue = new CallsQueue(clients.sqs(), queueUrl);
            WebhookHandler webhook = new WebhookHandler(
                    WebhookApp.service(WebhookConfig.fromEnv(env), clock, store, queue));
            ControlHandler control = new ControlHandler(ControlService.create(ControlConfig.fromEnv(env), clients, clock));

            Optional<SessionWorker> worker = Optional.empty();
            if (given.bool("LOCAL_STACK_WORKER", true)) {
                worker = Optional.of(startWorker(env, twilio, clock));
                resources.add(worker.get());
            }

            ConsoleSite console = new ConsoleSite(java.nio.file.Path.of(env.get("CONSOLE_DIR", "infra/console/public")),
                    control, env.required("CONTROL_API_TOKEN"), clock);
            ApiGatewayBridge bridge = listener.start(List.of(
                    new ApiGatewayBridge.Route("/openai/webhook", webhook),
                    new ApiGatewayBridge.Route("/control", control),
                    new ApiGatewayBridge.Route("/twilio", control),
                    new ApiGatewayBridge.Route("/console", console), new ApiGatewayBridge.Route("/api", console)), clock);
            resources.remove(listener);
            resources.add(listener); // the front closes first: no request reaches parts already stopped
            if (twilio.isPresent() && simulator.isPresent()) {
                OutboundDemo.connect(twilio.get(), simulator.get(), URI.create("http://127.0.0.1:" + bridge.port()
                        + "/openai/webhook"), env, clock);
            }
            return new LocalStack(resources, bridge, env, simulator, discord, twilio, worker, store, generated, console);
        } catch (IOException | RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    private static SessionWorker startWorker(Env env, Optional<FakeTwilio> twilio, Clock clock) {
        WorkerConfig workerConfig = WorkerConfig.fromEnv(env);
        WorkerDeps deps = WorkerDeps.fromConfig(workerConfig, clock);
        if (twilio.isPresent()) {
            FakeTwilio fake = twilio.get();
            deps = new WorkerDeps(deps.store(), deps.queue(), deps.http(), deps.calls(),
                    TwilioClientFactory.over(fake::httpClientBuilder), deps.discord(), deps.lifecycle());
        }
        return new SessionWorker(workerConfig, deps, clock).start();
    }

    private static boolean usesExternalAws(Env given) {
        return given.optional("AWS_ENDPOINT_URL").isPresent() || given.optional("AWS_ENDPOINT_URL_SQS").isPresent()
                || given.optional("AWS_ENDPOINT_URL_DYNAMODB").isPresent()
                || given.optional("AWS_ACCESS_KEY_ID").isPresent() || given.optional("AWS_PROFILE").isPresent();
    }

    private static void putGenerated(Env given, Map<String, String> defaults, Map<String, String> generated,
                                     String name, String value) {
        if (given.optional(name).isEmpty()) {
            defaults.put(name, value);
            generated.put(name, value);
        }
    }

    public int port() {
        return bridge.port();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public URI webhookUrl() {
        return baseUrl().resolve("/openai/webhook");
    }

    /** The operator console's sign-in link: one-time, valid ten minutes (see {@link ConsoleSite}). */
    public URI consoleLoginUrl() {
        return baseUrl().resolve("/console/login?code=" + console.newLoginCode());
    }

    public Env env() {
        return env;
    }

    public Optional<ConnectorSimulator> simulator() {
        return simulator;
    }

    public Optional<FakeDiscord> discord() {
        return discord;
    }

    public Optional<FakeTwilio> twilio() {
        return twilio;
    }

    /** The worker in this process; empty with {@code LOCAL_STACK_WORKER=false}. */
    public Optional<SessionWorker> worker() {
        return worker;
    }

    /**
     * The environment a session worker started as a separate process needs to join this stack: AWS endpoints and
     * credentials, table, queue URL, and the simulator's URL and key (never the webhook secret or control token).
     * Warm transfers need Twilio and are left out: the fake Twilio is reachable only from this process.
     */
    public Map<String, String> workerEnvironment() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String name : WORKER_VARIABLES) {
            env.optional(name).ifPresent(value -> out.put(name, value));
        }
        out.put("HEALTH_PORT", "0");
        out.put("HEALTH_HOST", env.get("HEALTH_HOST", LocalAws.LOOPBACK));
        return out;
    }

    public CallStore store() {
        return store;
    }

    /** A secret this process generated for local use only (webhook secret, control token), never a user's own. */
    public Optional<String> generated(String name) {
        return Optional.ofNullable(generated.get(name));
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception ignored) {
                // best effort on shutdown
            }
        }
    }
}
