package ai.phoneagent.worker;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.worker.call.CallLifecycleListener;
import ai.phoneagent.worker.discord.DiscordSink;
import ai.phoneagent.worker.discord.DiscordWebhookSink;
import ai.phoneagent.worker.tools.TwilioClientFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;
import okhttp3.OkHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The session worker's collaborators. {@link #fromConfig} builds the real ones; tests build their own (local
 * AWS, the simulator, fake Twilio and Discord) and pass them to {@link SessionWorker}'s constructor.
 *
 * @param lifecycle     extra hooks around each call's life; the worker's own control-queue listener always runs too
 * @param controlQueues the per-call control queues; {@code null}: built from the configuration's AWS settings and
 *                      {@code CONTROL_QUEUE_PREFIX}
 */
public record WorkerDeps(
        CallStore store,
        CallsQueue queue,
        OkHttpClient http,
        CallsClient calls,
        TwilioClientFactory twilio,
        DiscordSink discord,
        CallLifecycleListener lifecycle,
        ControlQueues controlQueues) {

    /** Collaborators whose control queues are built from the worker's configuration. */
    public WorkerDeps(CallStore store, CallsQueue queue, OkHttpClient http, CallsClient calls,
                      TwilioClientFactory twilio, DiscordSink discord, CallLifecycleListener lifecycle) {
        this(store, queue, http, calls, twilio, discord, lifecycle, null);
    }

    /** A worker's own retry budget for Calls API requests (hang-up, refer): longer than a webhook can afford. */
    public static RetryPolicy callsRetryPolicy() {
        return new RetryPolicy(Duration.ofSeconds(8), Duration.ofMillis(200), Duration.ofSeconds(2), RandomGenerator.getDefault());
    }

    /** An OkHttp client with conservative timeouts; each use narrows or widens them as it needs. */
    public static OkHttpClient defaultHttp() {
        return new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(3))
                .readTimeout(Duration.ofSeconds(10))
                .writeTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** The production collaborators for a configuration. */
    public static WorkerDeps fromConfig(WorkerConfig config, Clock clock) {
        AwsClients aws = new AwsClients(config.aws());
        SqsClient sqs = aws.sqs();
        OkHttpClient http = defaultHttp();
        CallsClient calls = new CallsClient(http.newBuilder().callTimeout(Duration.ofSeconds(5)).build(),
                config.endpoints(), config.openAiApiKey(), callsRetryPolicy(), clock);
        return new WorkerDeps(
                new CallStore(aws.dynamo(), config.callsTable()),
                new CallsQueue(sqs, config.callsQueueUrl()),
                http,
                calls,
                TwilioClientFactory.of(config.tools().transfer().twilioEndpoint()),
                DiscordWebhookSink.fromSettings(http, config.discord()),
                CallLifecycleListener.none(),
                new ControlQueues(sqs, config.controlQueuePrefix()));
    }

    /** A copy with another extra lifecycle listener (the control-queue listener runs in any case). */
    public WorkerDeps withLifecycle(CallLifecycleListener listener) {
        return new WorkerDeps(store, queue, http, calls, twilio, discord, listener, controlQueues);
    }

    /** A copy with another Discord sink. */
    public WorkerDeps withDiscord(DiscordSink sink) {
        return new WorkerDeps(store, queue, http, calls, twilio, sink, lifecycle, controlQueues);
    }

    /** A copy with other control queues. */
    public WorkerDeps withControlQueues(ControlQueues queues) {
        return new WorkerDeps(store, queue, http, calls, twilio, discord, lifecycle, queues);
    }
}
