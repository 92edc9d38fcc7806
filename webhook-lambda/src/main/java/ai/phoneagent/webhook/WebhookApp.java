package ai.phoneagent.webhook;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.config.ColdStart;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.metrics.EmfWriter;
import ai.phoneagent.metrics.MetricRecorder;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.CallsTransport;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.queue.CallsQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Wires the webhook's collaborators from configuration, once per container. */
public final class WebhookApp {
    /** The accept's one POST goes through the JDK's HTTP client, which the AWS SDK's client has loaded already. */
    private static final Duration OPENAI_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private WebhookApp() {
    }

    /** The service with real AWS clients and the OpenAI Calls client; metrics as EMF lines on standard output (the Lambda). */
    public static WebhookService service(WebhookConfig config, Clock clock) {
        return service(config, clock, startLambdaInit());
    }

    /** As {@link #service(WebhookConfig, Clock)}, with the metrics recorder {@link #startLambdaInit()} is building. */
    static WebhookService service(WebhookConfig config, Clock clock, Supplier<? extends MetricRecorder> metrics) {
        AwsClients aws = new AwsClients(config.aws());
        CallStore store = new CallStore(aws.dynamo(), config.callsTable());
        CallsQueue queue = new CallsQueue(aws.sqs(), config.callsQueueUrl());
        return service(config, clock, store, queue, openAiTransport(), metrics.get());
    }

    /**
     * Starts the JDK set-up every first request needs and EMF's first (discarded) serialisation on a second thread
     * ({@link ColdStart#startLambdaInit}); neither needs anything the handler builds.
     */
    static Supplier<EmfWriter> startLambdaInit() {
        return ColdStart.startLambdaInit("webhook-init", EmfWriter::primedForLogStream);
    }

    /**
     * The service over given store and queue (tests and the local stack share clients this way); metrics as EMF
     * lines on the log stream.
     */
    public static WebhookService service(WebhookConfig config, Clock clock, CallStore store, CallsQueue queue) {
        return service(config, clock, store, queue, openAiTransport(), EmfWriter.toLogStream());
    }

    /**
     * SnapStart priming: runs {@code deliveries} signed incoming-call deliveries through a copy of the service whose
     * AWS clients and OpenAI client never touch the network (the same classes and code path as a real call:
     * verification, parsing, intake, SDK marshalling and signing, the Calls API client's retry loop), with log lines
     * discarded; and builds the JDK's TLS context that the https connections will use. Returns how many were answered 200.
     */
    public static int primeOffline(WebhookConfig config, Clock clock, int deliveries) {
        AwsClients.prepareTls();
        AwsClients aws = AwsClients.offline();
        CallsTransport openAi = (uri, authorization, body, timeout) -> new CallsTransport.Reply(200, "");
        WebhookService offline = service(config, clock, new CallStore(aws.dynamo(), config.callsTable()),
                new CallsQueue(aws.sqs(), "http://offline.invalid/000000000000/prime"), openAi, MetricRecorder.none());
        int ok = 0;
        java.io.PrintStream logs = JsonLog.current();
        JsonLog.redirect(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            for (int i = 0; i < deliveries; i++) {
                String callId = "rtc_prime" + i;
                byte[] body = ("{\"type\":\"realtime.call.incoming\",\"data\":{\"call_id\":\"" + callId
                        + "\",\"sip_headers\":[{\"name\":\"From\",\"value\":\"sip:+15550100@prime.invalid\"},"
                        + "{\"name\":\"To\",\"value\":\"sip:+15550199@prime.invalid\"}]}}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                String webhookId = "msg_prime" + i;
                String timestamp = Long.toString(clock.instant().getEpochSecond());
                var headers = java.util.Map.of("webhook-id", webhookId, "webhook-timestamp", timestamp,
                        "webhook-signature", WebhookSignatures.sign(config.webhookSecret(), webhookId, timestamp, body));
                if (offline.handle(new WebhookRequest("POST", WebhookService.PATH, headers, body)).status() == 200) {
                    ok++;
                }
            }
        } finally {
            JsonLog.redirect(logs);
        }
        return ok;
    }

    private static CallsTransport openAiTransport() {
        return CallsTransport.urlConnection(OPENAI_CONNECT_TIMEOUT);
    }

    private static WebhookService service(WebhookConfig config, Clock clock, CallStore store, CallsQueue queue,
                                          CallsTransport openAiHttp, MetricRecorder metrics) {
        RetryPolicy retry = new RetryPolicy(config.acceptDeadline(), Duration.ofMillis(150), Duration.ofMillis(1_000),
                RandomGenerator.getDefault());
        CallsClient calls = new CallsClient(openAiHttp, config.openAi(), config.openAiApiKey(), retry, clock);
        CallIntake intake = new CallIntake(store, calls, queue, config.profile(), clock, config.acceptDeadline(), metrics);
        return new WebhookService(new WebhookVerifier(config.webhookSecret(), clock), intake, config.maxBodyBytes(),
                clock, metrics);
    }
}
