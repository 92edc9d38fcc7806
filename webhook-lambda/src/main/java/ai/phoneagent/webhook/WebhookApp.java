package ai.phoneagent.webhook;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.queue.CallsQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;

/** Wires the webhook's collaborators from configuration, once per container. */
public final class WebhookApp {
    private WebhookApp() {
    }

    /** The service with real AWS clients and the OpenAI Calls client. */
    public static WebhookService service(WebhookConfig config, Clock clock) {
        AwsClients aws = new AwsClients(config.aws());
        CallStore store = new CallStore(aws.dynamo(), config.callsTable());
        CallsQueue queue = new CallsQueue(aws.sqs(), config.callsQueueUrl());
        return service(config, clock, store, queue);
    }

    /** The service over given store and queue (tests and the local stack share clients this way). */
    public static WebhookService service(WebhookConfig config, Clock clock, CallStore store, CallsQueue queue) {
        RetryPolicy retry = new RetryPolicy(config.acceptDeadline(), Duration.ofMillis(150), Duration.ofMillis(1_000),
                RandomGenerator.getDefault());
        CallsClient calls = new CallsClient(CallsClient.defaultHttpClient(), config.openAi(), config.openAiApiKey(), retry, clock);
        CallIntake intake = new CallIntake(store, calls, queue, config.profile(), clock, config.acceptDeadline());
        return new WebhookService(new WebhookVerifier(config.webhookSecret(), clock), intake, config.maxBodyBytes(), clock);
    }
}
