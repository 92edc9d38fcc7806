package ai.phoneagent.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.call.SipHeader;
import ai.phoneagent.call.Turn;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandStatus;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.config.Env;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.SimulatorConfig;
import ai.phoneagent.simulator.discord.FakeDiscord;
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
import ai.phoneagent.worker.discord.DiscordWebhookSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import okhttp3.OkHttpClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Everything a worker integration test needs, all real and on loopback: calls table and queue on an AWS backend,
 * the connector simulator (Calls API and call WebSocket), fake Discord and fake Twilio, and workers built on
 * them. Captures the JSON log so tests can check it for secrets.
 */
public final class TestBed implements AutoCloseable {
    public static final String API_KEY = TestKeys.OPENAI_API_KEY;
    public static final String CALLER = "sip:+14255551212@sip.example.com";
    public static final String CALLED = "sip:+18005551212@sip.example.com";
    public static final Duration WAIT = Duration.ofSeconds(15);

    /** A call that is greeted, hears one caller line and then stays live until somebody ends it. */
    static Scenario longCall() {
        return Scenario.of("long call", Step.await(AwaitTarget.GREETING), Step.caller("Hello"));
    }

    public final AwsFixture aws;
    public final ConnectorSimulator sim;
    public final FakeDiscord discord;
    public final FakeTwilio twilio;
    public final CallStore store;
    public final CallsQueue queue;
    /** The control side's view of commands and control queues, for tests that play the control Lambda. */
    public final CommandStore commands;
    public final ControlQueues controlQueues;
    private final Clock clock = Clock.systemUTC();
    private final List<SessionWorker> workers = new CopyOnWriteArrayList<>();
    private final LogCapture logCapture;
    private final AtomicBoolean closed = new AtomicBoolean();

    public TestBed(AwsBackend backend) {
        this.aws = AwsFixture.on(backend);
        this.sim = ConnectorSimulator.start(SimulatorConfig.builder().apiKey(API_KEY)
                .defaultScenario(Scenario.quiet()).build());
        this.discord = FakeDiscord.start();
        this.twilio = FakeTwilio.start(TestKeys.TWILIO_ACCOUNT_SID, TestKeys.TWILIO_AUTH_TOKEN);
        this.store = aws.callStore();
        this.queue = aws.callsQueue();
        this.commands = new CommandStore(aws.dynamo(), aws.tableName());
        this.controlQueues = new ControlQueues(aws.sqs(), aws.controlQueuePrefix());
        logCapture = LogCapture.echoing();
    }

    /** The environment a worker reads, pointed at this bed, with test-friendly timings; overrides win. */
    public Map<String, String> env(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(aws.env());
        env.put("OPENAI_API_KEY", API_KEY);
        env.put("OPENAI_BASE_URL", sim.baseUrl().toString());
        env.put("WELCOME_MESSAGE", "Hello, thanks for calling Acme.");
        env.put("HEALTH_PORT", "0");
        env.put("QUEUE_WAIT_SECONDS", "1");
        env.put("END_CALL_DELAY_MS", "0");
        env.put("SHUTDOWN_TIMEOUT_MS", "10000");
        env.put("DISCORD_FLUSH_TIMEOUT_MS", "3000");
        env.put("WORKER_ID", "worker-" + UUID.randomUUID().toString().substring(0, 6));
        env.put("END_CALL_ENABLED", "true");
        env.putAll(overrides);
        env.values().removeIf(v -> v == null);
        return env;
    }

    /** Starts a worker with injected collaborators (fake Twilio, fast-retrying Discord sink). */
    public SessionWorker startWorker(Map<String, String> overrides) {
        return startWorker(overrides, CallLifecycleListener.none());
    }

    public SessionWorker startWorker(Map<String, String> overrides, CallLifecycleListener lifecycle) {
        return startWorker(overrides, lifecycle, store);
    }

    /** A worker whose control and nudge queues go through {@code controlQueues} (e.g. a client counting requests). */
    public SessionWorker startWorker(Map<String, String> overrides, ControlQueues controlQueues) {
        return startWorker(overrides, CallLifecycleListener.none(), store, controlQueues);
    }

    /** A worker whose call store and control queues are these (e.g. over clients counting requests). */
    public SessionWorker startWorker(Map<String, String> overrides, CallStore callStore, ControlQueues controlQueues) {
        return startWorker(overrides, CallLifecycleListener.none(), callStore, controlQueues);
    }

    /** A worker whose call store is {@code callStore} (e.g. one over a DynamoDB client that fails on demand). */
    public SessionWorker startWorker(Map<String, String> overrides, CallLifecycleListener lifecycle, CallStore callStore) {
        return startWorker(overrides, lifecycle, callStore, null);
    }

    private SessionWorker startWorker(Map<String, String> overrides, CallLifecycleListener lifecycle, CallStore callStore,
                                      ControlQueues controlQueues) {
        WorkerConfig config = WorkerConfig.fromEnv(Env.of(env(overrides)));
        OkHttpClient http = WorkerDeps.defaultHttp();
        CallsClient calls = calls();
        DiscordSink sink = config.discord().webhookUrl()
                .<DiscordSink>map(url -> new DiscordWebhookSink(http, url, config.discord().bufferLimit(),
                        config.discord().maxAttempts(), Duration.ofMillis(20)))
                .orElseGet(DiscordSink::none);
        WorkerDeps deps = new WorkerDeps(callStore, queue, http, calls, TwilioClientFactory.over(twilio::httpClientBuilder), sink, lifecycle);
        if (controlQueues != null) {
            deps = deps.withControlQueues(controlQueues);
        }
        SessionWorker worker = new SessionWorker(config, deps, clock).start();
        workers.add(worker);
        return worker;
    }

    /** A Calls API client for the simulator with test-friendly retries. */
    public CallsClient calls() {
        return new CallsClient(WorkerDeps.defaultHttp(), sim.endpoints(), API_KEY,
                new RetryPolicy(Duration.ofSeconds(3), Duration.ofMillis(50), Duration.ofMillis(200), RandomGenerator.getDefault()),
                clock);
    }

    /** A call as the webhook leaves it: recorded, accepted, queued, and its message on the calls queue. */
    public String placeCall(Scenario scenario) {
        return placeCall(scenario, CALLER, CALLED, null, null);
    }

    public String placeCall(Scenario scenario, String from, String to, String conference, String callToken) {
        String callId = sim.newCall(scenario);
        recordQueued(callId, from, to, conference, callToken);
        queue.send(new CallMessage(callId, "wh_" + callId, clock.millis(), CallMessage.Reason.INCOMING));
        return callId;
    }

    /** Records the call through the intake steps without sending a queue message. */
    public void recordQueued(String callId, String from, String to, String conference, String callToken) {
        recordQueued(callId, from, to, conference, callToken, null);
    }

    /** As above, accepted (as the webhook does) with the tool catalogue of fingerprint {@code toolCatalog}. */
    public void recordQueued(String callId, String from, String to, String conference, String callToken,
                             String toolCatalog) {
        List<SipHeader> headers = new ArrayList<>();
        if (from != null) {
            headers.add(new SipHeader("From", from));
        }
        if (to != null) {
            headers.add(new SipHeader("To", to));
        }
        if (conference != null) {
            headers.add(new SipHeader("X-conferenceName", conference));
        }
        if (callToken != null) {
            headers.add(new SipHeader("X-callToken", callToken));
        }
        Instant now = clock.instant();
        store.recordIncoming(new IncomingCall(callId, "wh_" + callId, headers), now);
        for (CallStore.Step step : CallStore.Step.values()) {
            boolean completed = store.claimStep(callId, step, "test", now, Duration.ofSeconds(30))
                    && (step == CallStore.Step.ACCEPT && toolCatalog != null
                    ? store.completeAccept(callId, "test", now, toolCatalog)
                    : store.completeStep(callId, step, "test", now));
            if (!completed) {
                throw new IllegalStateException("could not move the call through " + step);
            }
        }
    }

    public CallRecord call(String callId) {
        return store.get(callId).orElseThrow();
    }

    public CallRecord awaitStatus(String callId, CallStatus status) {
        Await.until("call " + callId + " is " + status, WAIT, () -> call(callId).status() == status);
        return call(callId);
    }

    public List<Turn> turns(String callId) {
        return store.turns(callId, -1, 1000).items();
    }

    public List<String> turnLines(String callId) {
        return turns(callId).stream().map(t -> t.speaker().wireName() + ": " + t.text()).toList();
    }

    public List<CallEvent> events(String callId) {
        return store.events(callId, null, 1000).items();
    }

    public List<String> eventKinds(String callId) {
        return events(callId).stream().map(CallEvent::kind).toList();
    }

    /** System messages with exactly {@code text} that reached OpenAI (the simulator) on the call. */
    public long systemMessages(String callId, String text) {
        return sim.clientEvents(callId).stream().filter(AwaitTarget.SYSTEM_MESSAGE::matches)
                .filter(e -> e.path("item").path("content").path(0).path("text").asText().equals(text)).count();
    }

    /** The command once it is no longer pending. */
    public Command awaitFinished(Command command) {
        return Await.value("command " + command.commandId() + " finished", WAIT, () -> commands
                .get(command.callId(), command.commandId())
                .filter(c -> c.status() != CommandStatus.PENDING).orElse(null));
    }

    /**
     * Makes the call's control queue and records it as made, as the control side does for a call's first command
     * (the worker never makes it); also for a call whose claim recorded no URL. Returns its URL.
     */
    public String openControlQueue(String callId) {
        String url = controlQueues.create(callId);
        String recorded = call(callId).controlQueueUrl();
        if (recorded != null) { // none when the claim came before the worker's nudge queue existed
            assertThat(url).isEqualTo(recorded);
        }
        assertThat(store.recordControlQueue(callId, url, Instant.now())).isTrue();
        return url;
    }

    /** Messages on a queue, visible or in flight (without receiving them, which would hide them from the worker). */
    public int queueDepth(String url) {
        var attributes = aws.sqs().getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /** Everything logged (JSON lines) since the bed started. */
    public String logs() {
        return logCapture.text();
    }

    /** Stops the workers and the fakes; closing again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (SessionWorker worker : workers) {
            worker.close();
        }
        logCapture.close();
        sim.close();
        discord.close();
        twilio.close();
    }
}
