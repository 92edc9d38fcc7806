package ai.phoneagent.localstack;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.config.Env;
import ai.phoneagent.localaws.LocalAws;
import ai.phoneagent.localaws.LocalResources;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.SimulatorConfig;
import ai.phoneagent.webhook.WebhookApp;
import ai.phoneagent.webhook.WebhookConfig;
import ai.phoneagent.webhook.WebhookHandler;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole system in one process. Fills in what the environment leaves unset: embedded AWS engines when no
 * AWS endpoint or credentials are given, the OpenAI simulator when no API key is given, a generated webhook secret.
 */
public final class LocalStack implements AutoCloseable {
    static final String DEFAULT_TABLE = "calls";
    static final String DEFAULT_QUEUE = "calls";

    private final List<AutoCloseable> resources;
    private final ApiGatewayBridge bridge;
    private final Env env;
    private final Optional<ConnectorSimulator> simulator;
    private final CallStore store;
    private final CallsQueue queue;
    private final boolean generatedSecret;

    private LocalStack(List<AutoCloseable> resources, ApiGatewayBridge bridge, Env env,
                       Optional<ConnectorSimulator> simulator, CallStore store, CallsQueue queue, boolean generatedSecret) {
        this.resources = resources;
        this.bridge = bridge;
        this.env = env;
        this.simulator = simulator;
        this.store = store;
        this.queue = queue;
        this.generatedSecret = generatedSecret;
    }

    /** Starts everything; {@code given} is the user's environment. */
    public static LocalStack start(Env given, Clock clock) throws IOException {
        List<AutoCloseable> resources = new ArrayList<>();
        Map<String, String> defaults = new HashMap<>();
        try {
            // AWS: embedded engines unless the environment points somewhere real.
            boolean externalAws = given.optional("AWS_ENDPOINT_URL").isPresent()
                    || given.optional("AWS_ENDPOINT_URL_SQS").isPresent()
                    || given.optional("AWS_ACCESS_KEY_ID").isPresent()
                    || given.optional("AWS_PROFILE").isPresent();
            AwsSettings aws;
            if (externalAws) {
                aws = AwsSettings.fromEnv(given);
            } else {
                LocalAws local = LocalAws.start();
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
            LocalResources.createTable(clients.dynamo(), table);
            String queueUrl = given.optional("CALLS_QUEUE_URL")
                    .orElseGet(() -> LocalResources.createCallsQueue(clients.sqs(), DEFAULT_QUEUE, 30));
            defaults.put("CALLS_TABLE", table);
            defaults.put("CALLS_QUEUE_URL", queueUrl);
            defaults.put("CONTROL_QUEUE_PREFIX", "call-control-");

            // OpenAI: the simulator unless a real key is given.
            Optional<ConnectorSimulator> simulator = Optional.empty();
            if (given.optional("OPENAI_API_KEY").isEmpty()) {
                String key = "sk-local-" + random(18);
                ConnectorSimulator sim = ConnectorSimulator.start(SimulatorConfig.builder().apiKey(key).build());
                resources.add(sim);
                simulator = Optional.of(sim);
                defaults.put("OPENAI_API_KEY", key);
                defaults.put("OPENAI_BASE_URL", sim.baseUrl().toString());
            }
            boolean generatedSecret = given.optional("OPENAI_WEBHOOK_SECRET").isEmpty();
            defaults.put("OPENAI_WEBHOOK_SECRET", "whsec_" + random(24));
            Env env = given.withDefaults(defaults);

            CallStore store = new CallStore(clients.dynamo(), table);
            CallsQueue queue = new CallsQueue(clients.sqs(), queueUrl);
            WebhookHandler webhook = new WebhookHandler(
                    WebhookApp.service(WebhookConfig.fromEnv(env), clock, store, queue));
            ApiGatewayBridge bridge = ApiGatewayBridge.start(
                    env.get("LOCAL_STACK_HOST", "127.0.0.1"),
                    env.intValue("PORT", 3000, 0, 65535),
                    List.of(new ApiGatewayBridge.Route("/openai/webhook", webhook)),
                    clock);
            resources.add(bridge);
            return new LocalStack(resources, bridge, env, simulator, store, queue, generatedSecret);
        } catch (IOException | RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    public int port() {
        return bridge.port();
    }

    public URI webhookUrl() {
        return URI.create("http://127.0.0.1:" + port() + "/openai/webhook");
    }

    public Env env() {
        return env;
    }

    public Optional<ConnectorSimulator> simulator() {
        return simulator;
    }

    public CallStore store() {
        return store;
    }

    public CallsQueue queue() {
        return queue;
    }

    /** The webhook secret, only when this process generated it (a throwaway for local use). */
    public Optional<String> generatedWebhookSecret() {
        return generatedSecret ? env.optional("OPENAI_WEBHOOK_SECRET") : Optional.empty();
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
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
