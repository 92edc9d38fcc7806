package ai.phoneagent.control.e2e;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.call.SipHeader;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.config.Env;
import ai.phoneagent.control.ControlConfig;
import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.control.ControlService;
import ai.phoneagent.control.TestConfigs;
import ai.phoneagent.control.commands.AckWait;
import ai.phoneagent.json.Json;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.SimulatorConfig;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.simulator.twilio.FakeTwilio;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.AwsFixture;
import ai.phoneagent.testing.LogCapture;
import ai.phoneagent.testing.TestKeys;
import ai.phoneagent.worker.tools.TwilioClientFactory;
import ai.phoneagent.worker.SessionWorker;
import ai.phoneagent.worker.WorkerConfig;
import ai.phoneagent.worker.WorkerDeps;
import ai.phoneagent.worker.call.CallLifecycleListener;
import ai.phoneagent.worker.discord.DiscordSink;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import okhttp3.OkHttpClient;

/**
 * The whole control path on loopback: the real control handler, DynamoDB and SQS (embedded engines or LocalStack),
 * real session workers in this JVM, the connector simulator (Calls API and call WebSocket) and fake Twilio (reached
 * through twilio-java). Captures the JSON log so tests can check it for secrets.
 */
final class E2eBed implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(15);
    static final String CALLER = "sip:+14255551212@sip.example.com";
    static final String CALLED = "sip:+18005551212@sip.example.com";
    static final String CALL_TOKEN = "tok-e2e-SECRET-call-token";
    static final String GREETING = "Hello, thanks for calling Acme.";

    final AwsFixture aws;
    final ConnectorSimulator sim;
    final FakeTwilio twilio;
    final CallStore store;
    final CallsQueue queue;
    final ControlQueues queues;
    final CommandStore commands;
    private final Clock clock = Clock.systemUTC();
    private final List<SessionWorker> workers = new CopyOnWriteArrayList<>();
    private final List<String> responses = new CopyOnWriteArrayList<>();
    private final LogCapture logCapture;

    E2eBed(AwsBackend backend) {
        this.aws = AwsFixture.on(backend);
        this.sim = ConnectorSimulator.start(SimulatorConfig.builder().apiKey(TestKeys.OPENAI_API_KEY)
                .defaultScenario(Scenario.quiet()).build());
        this.twilio = FakeTwilio.start(TestKeys.TWILIO_ACCOUNT_SID, TestKeys.TWILIO_AUTH_TOKEN);
        this.store = aws.callStore();
        this.queue = aws.callsQueue();
        this.queues = new ControlQueues(aws.sqs(), aws.controlQueuePrefix());
        this.commands = new CommandStore(aws.dynamo(), aws.tableName());
        logCapture = LogCapture.echoing();
    }

    /**
     * One environment for every part, as a deployment gives them: the same table, queues, prefix, allow-list
     * ({@code human} warm to +15551230000, {@code sales} cold), Twilio account and status callback URL.
     */
    Map<String, String> env(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(TestConfigs.baseEnv());
        env.putAll(aws.env());
        env.put("OPENAI_API_KEY", TestKeys.OPENAI_API_KEY);
        env.put("OPENAI_BASE_URL", sim.baseUrl().toString());
        env.put("WELCOME_MESSAGE", GREETING);
        env.put("HEALTH_PORT", "0");
        env.put("QUEUE_WAIT_SECONDS", "1");
        env.put("CONTROL_QUEUE_WAIT_SECONDS", "1");
        env.put("END_CALL_DELAY_MS", "0");
        env.put("SHUTDOWN_TIMEOUT_MS", "10000");
        env.put("LEASE_DURATION_MS", "1500");
        env.put("LEASE_RENEW_MS", "300");
        env.put("SWEEP_INTERVAL_MS", "300");
        env.put("WORKER_ID", "worker-" + UUID.randomUUID().toString().substring(0, 6));
        env.putAll(overrides);
        env.values().removeIf(v -> v == null);
        return env;
    }

    /** The control Lambda's handler on this bed, as {@code ControlHandler} runs it in AWS. */
    ControlHandler control(Map<String, String> overrides) {
        ControlConfig config = ControlConfig.fromEnv(Env.of(env(overrides)));
        return new ControlHandler(new ControlService(config, new CallStore(aws.dynamo(), aws.tableName()),
                new CommandStore(aws.dynamo(), aws.tableName()), new ControlQueues(aws.sqs(), aws.controlQueuePrefix()),
                clock, AckWait.system()));
    }

    /**
     * A session worker in this JVM with production wiring (its control-queue listener and sweep included), talking
     * to the simulator and to fake Twilio through twilio-java.
     */
    SessionWorker startWorker(Map<String, String> overrides) {
        WorkerConfig config = WorkerConfig.fromEnv(Env.of(env(overrides)));
        OkHttpClient http = WorkerDeps.defaultHttp();
        CallsClient calls = new CallsClient(http, sim.endpoints(), TestKeys.OPENAI_API_KEY,
                new RetryPolicy(Duration.ofSeconds(3), Duration.ofMillis(50), Duration.ofMillis(200),
                        RandomGenerator.getDefault()), clock);
        WorkerDeps deps = new WorkerDeps(store, queue, http, calls, TwilioClientFactory.over(twilio::httpClientBuilder), DiscordSink.none(),
                CallLifecycleListener.none());
        SessionWorker worker = new SessionWorker(config, deps, clock).start();
        workers.add(worker);
        return worker;
    }

    /** A call that stays up until someone hangs up, as the webhook leaves it: recorded, accepted, queued, enqueued. */
    String placeCall() {
        String callId = sim.newCall(Scenario.of("long call", Step.await(AwaitTarget.GREETING), Step.caller("Hello")));
        List<SipHeader> headers = new ArrayList<>(List.of(new SipHeader("From", CALLER), new SipHeader("To", CALLED),
                new SipHeader("X-conferenceName", conferenceOf(callId)), new SipHeader("X-callToken", CALL_TOKEN)));
        Instant now = clock.instant();
        store.recordIncoming(new IncomingCall(callId, "wh_" + callId, headers), now);
        for (CallStore.Step step : CallStore.Step.values()) {
            if (!store.claimStep(callId, step, "test", now, Duration.ofSeconds(30))
                    || !store.completeStep(callId, step, "test", now)) {
                throw new IllegalStateException("could not move the call through " + step);
            }
        }
        queue.send(new CallMessage(callId, "wh_" + callId, now.toEpochMilli(), CallMessage.Reason.INCOMING));
        return callId;
    }

    static String conferenceOf(String callId) {
        return "conf-" + callId;
    }

    /** Waits until a worker hosts the call and has recorded its control queue; returns the queue URL. */
    String awaitControlReady(String callId) {
        Await.until("the caller is heard", WAIT, () -> sim.clientEvents(callId).stream().anyMatch(AwaitTarget.GREETING::matches));
        // the claim records the URL (unless the worker's nudge queue was not made yet); the queue itself is made by the
        // call's first command
        String recorded = call(callId).controlQueueUrl();
        return recorded != null ? recorded : queues.queueUrl(aws.env().get("CALLS_QUEUE_URL"), callId);
    }

    CallRecord call(String callId) {
        return store.get(callId).orElseThrow();
    }

    /** Messages on a queue, visible or in flight, without receiving them. */
    int depth(String queueUrl) {
        var attributes = aws.sqs().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                software.amazon.awssdk.services.sqs.model.QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                software.amazon.awssdk.services.sqs.model.QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    /** An HTTP answer of the handler, its body parsed. */
    record Reply(int status, Map<String, String> headers, JsonNode body, String raw) {
        String code() {
            return body.at("/error/code").asText();
        }
    }

    Reply send(ControlHandler handler, APIGatewayV2HTTPEvent event) {
        var response = handler.handleRequest(event, null);
        String raw = response.getBody() == null ? "" : response.getBody();
        responses.add(raw);
        try {
            return new Reply(response.getStatusCode(), response.getHeaders() == null ? Map.of() : response.getHeaders(),
                    raw.isEmpty() ? Json.object() : Json.parse(raw), raw);
        } catch (Exception e) {
            throw new AssertionError("response is not JSON: " + raw);
        }
    }

    String logs() {
        return logCapture.text();
    }

    List<String> responses() {
        return List.copyOf(responses);
    }

    @Override
    public void close() {
        for (SessionWorker worker : workers) {
            worker.close();
        }
        logCapture.close();
        sim.close();
        twilio.close();
    }
}
