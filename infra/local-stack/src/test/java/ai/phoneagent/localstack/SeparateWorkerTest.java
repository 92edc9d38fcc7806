package ai.phoneagent.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallStatus;
import ai.phoneagent.config.Env;
import ai.phoneagent.simulator.CallSnapshot;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookSender;
import ai.phoneagent.testing.Await;
import ai.phoneagent.tools.ToolRegistry;
import ai.phoneagent.worker.SessionWorker;
import ai.phoneagent.worker.WorkerConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code LOCAL_STACK_WORKER=false}: the stack starts no worker, and a worker configured from nothing but the stack's
 * {@link LocalStack#workerEnvironment()} (what {@code .local/worker.env} holds) takes its calls.
 */
class SeparateWorkerTest {
    private static LocalStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(Env.of(Map.of("PORT", "0", "LOCAL_STACK_WORKER", "false")), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void aWorkerGivenOnlyTheWorkerEnvironmentTakesTheStacksCalls() {
        assertThat(stack.worker()).isEmpty();
        Map<String, String> workerEnv = stack.workerEnvironment();
        assertThat(workerEnv).containsKeys("CALLS_QUEUE_URL", "CALLS_TABLE", "AWS_ENDPOINT_URL_SQS",
                "AWS_ENDPOINT_URL_DYNAMODB", "OPENAI_BASE_URL", "OPENAI_API_KEY");
        assertThat(workerEnv).doesNotContainKeys("OPENAI_WEBHOOK_SECRET", "CONTROL_API_TOKEN");

        IncomingCallSpec call = IncomingCallSpec.random();
        var report = new WebhookSender(stack.generated("OPENAI_WEBHOOK_SECRET").orElseThrow(), Clock.systemUTC(),
                RedeliveryPolicy.once()).sendIncomingCall(stack.webhookUrl(), call);
        assertThat(report.statuses()).containsExactly(200);

        try (SessionWorker worker = SessionWorker.start(WorkerConfig.fromEnv(Env.of(workerEnv)), Clock.systemUTC())) {
            var simulator = stack.simulator().orElseThrow();
            simulator.awaitCall(call.callId(), CallSnapshot::greeted, Duration.ofSeconds(30));
            assertThat(stack.store().get(call.callId()).orElseThrow().owner()).isEqualTo(worker.workerId());
            simulator.hangup(call.callId(), true);
            Await.until("the worker to record the caller's hang-up", Duration.ofSeconds(15),
                    () -> stack.store().get(call.callId()).orElseThrow().status() == CallStatus.ENDED);
        }
    }

    @Test
    void aSeparateWorkerRunsTheToolsTheWebhookOfferedAndWarmTransfersThroughTheStacksFakeTwilio() throws Exception {
        Env workerEnv = Env.of(stack.workerEnvironment());
        assertThat(ToolRegistry.fromEnv(workerEnv).fingerprint()).as("the catalogue the webhook offers at accept")
                .isEqualTo(ToolRegistry.fromEnv(stack.env()).fingerprint());

        IncomingCallSpec call = IncomingCallSpec.random();
        var report = new WebhookSender(stack.generated("OPENAI_WEBHOOK_SECRET").orElseThrow(), Clock.systemUTC(),
                RedeliveryPolicy.once()).sendIncomingCall(stack.webhookUrl(), call);
        assertThat(report.statuses()).containsExactly(200);
        try (SessionWorker worker = SessionWorker.start(WorkerConfig.fromEnv(workerEnv), Clock.systemUTC())) {
            var simulator = stack.simulator().orElseThrow();
            simulator.awaitCall(call.callId(), CallSnapshot::greeted, Duration.ofSeconds(30));
            int before = stack.twilio().orElseThrow().participantCreations().size();

            HttpResponse<String> transfer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            stack.baseUrl().resolve("/control/calls/" + call.callId() + "/transfer"))
                    .header("Authorization", "Bearer " + stack.generated("CONTROL_API_TOKEN").orElseThrow())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"mode\":\"warm\",\"silent\":true}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(transfer.statusCode()).as(transfer.body()).isEqualTo(200);
            assertThat(transfer.body()).contains("\"status\":\"done\"");
            assertThat(stack.twilio().orElseThrow().participantCreations()).as("the human dialled into the conference")
                    .hasSize(before + 1);
            assertThat(stack.store().get(call.callId()).orElseThrow().owner()).isEqualTo(worker.workerId());
            simulator.hangup(call.callId(), true);
        }
    }
}
