package ai.phoneagent.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.config.Env;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.simulator.CallVerb;
import ai.phoneagent.simulator.CallsAnswer;
import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.SimulatorConfig;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import ai.phoneagent.simulator.webhook.WebhookSender;
import ai.phoneagent.testing.AwsFixture;
import ai.phoneagent.testing.EmfLines;
import ai.phoneagent.testing.EmfLines.Datum;
import ai.phoneagent.testing.LogCapture;
import ai.phoneagent.testing.TestKeys;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The webhook Lambda's metrics as Lambda prints them: the production handler wiring ({@code EmfWriter} on the JSON
 * log's stream, standard output in Lambda), that stream and standard output captured, every line parsed as EMF by an independent reader, against real DynamoDB and SQS
 * engines and the connector simulator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookMetricsTest {
    private AwsFixture aws;
    private ConnectorSimulator openAi;
    private WebhookSender signer;
    private WebhookHandler handler;

    @BeforeAll
    void start() {
        aws = AwsFixture.embedded();
        openAi = ConnectorSimulator.start(SimulatorConfig.builder().apiKey(TestKeys.OPENAI_API_KEY).build());
        signer = new WebhookSender(TestKeys.WEBHOOK_SECRET, Clock.systemUTC(), RedeliveryPolicy.once());
        Map<String, String> env = new HashMap<>(aws.env());
        env.put("OPENAI_API_KEY", TestKeys.OPENAI_API_KEY);
        env.put("OPENAI_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET);
        env.put("OPENAI_BASE_URL", openAi.baseUrl().toString());
        env.put("ACCEPT_DEADLINE_MS", "1500");
        handler = new WebhookHandler(WebhookApp.service(WebhookConfig.fromEnv(Env.of(env)), Clock.systemUTC()));
    }

    @AfterAll
    void stop() {
        openAi.close();
        aws.drainQueue();
    }

    @Test
    void theLambdaWritesValidEmfForAQueuedCallADuplicateAndAForgedDelivery() {
        IncomingCallSpec call = IncomingCallSpec.builder().from("+14255551212").to("+18005551212").build();
        WebhookEvent webhook = WebhookEvent.incomingCall(call, Clock.systemUTC());
        byte[] body = webhook.body();

        String stdout = capturingStdout(() -> {
            assertThat(handler.handleRequest(event(signer.signedHeaders("msg_m1", body), body), null).getStatusCode()).isEqualTo(200);
            assertThat(handler.handleRequest(event(signer.signedHeaders("msg_m1", body), body), null).getStatusCode()).isEqualTo(200);
            Map<String, String> forged = new HashMap<>(signer.signedHeaders("msg_m2", body));
            forged.put("webhook-signature", "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
            assertThat(handler.handleRequest(event(forged, body), null).getStatusCode()).isEqualTo(401);
        });

        List<Datum> data = EmfLines.parse(stdout);
        assertThat(data).as("every value in our namespace, under [Service] and its full dimension set")
                .isNotEmpty()
                .allSatisfy(d -> {
                    assertThat(d.namespace()).isEqualTo(Metric.NAMESPACE);
                    Metric metric = Metric.named(d.name()).orElseThrow();
                    assertThat(d.dimensionSets()).isEqualTo(metric.dimensionSets());
                    assertThat(d.dimensions()).containsEntry("Service", "webhook");
                    assertThat(d.unit()).isEqualTo(metric.unit().cloudWatchName());
                });
        assertThat(EmfLines.named(data, "WebhooksReceived")).hasSize(3).allSatisfy(d -> assertThat(d.value()).isEqualTo(1));
        assertThat(EmfLines.named(data, "WebhookDuplicates")).singleElement()
                .satisfies(d -> assertThat(d.property("call_id")).isEqualTo(call.callId()));
        assertThat(EmfLines.named(data, "WebhooksRejected")).singleElement()
                .satisfies(d -> assertThat(d.dimensions()).containsEntry("Reason", "invalid_signature"));
        assertThat(EmfLines.named(data, "CallsQueued")).singleElement()
                .satisfies(d -> assertThat(d.dimensions()).containsEntry("CallDirection", "inbound"));
        assertThat(EmfLines.named(data, "AcceptLatency")).singleElement().satisfies(d -> {
            assertThat(d.dimensions()).containsEntry("CallDirection", "inbound").containsEntry("Outcome", "done");
            assertThat(d.value()).isPositive().isLessThan(10_000);
            assertThat(d.property("call_id")).as("a call id is a property, never a dimension").isEqualTo(call.callId());
            assertThat(d.dimensions()).doesNotContainValue(call.callId());
        });
        assertThat(EmfLines.named(data, "AcceptFailures")).isEmpty();
        assertThat(TestKeys.containsSecret(stdout)).as("metrics leak a secret").isFalse();
    }

    @Test
    void aRefusedAcceptAndAnUnreachableOpenAiAreAcceptFailuresByReason() {
        IncomingCallSpec refused = IncomingCallSpec.builder().build();
        IncomingCallSpec unreachable = IncomingCallSpec.builder().build();
        openAi.answer(refused.callId(), CallVerb.ACCEPT, CallsAnswer.badRequest("Invalid value for 'voice'."));
        openAi.answerAlways(unreachable.callId(), CallVerb.ACCEPT, CallsAnswer.serverError(503));

        String stdout = capturingStdout(() -> {
            assertThat(deliver(refused, "msg_refused")).isEqualTo(200); // refused: recorded FAILED, not retried
            assertThat(deliver(unreachable, "msg_unreachable")).isEqualTo(500); // OpenAI retries the delivery
        });
        openAi.clearAnswers();

        List<Datum> data = EmfLines.parse(stdout);
        assertThat(EmfLines.named(data, "AcceptFailures")).extracting(d -> d.dimensions().get("Reason"), d -> d.property("call_id"))
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("refused", refused.callId()),
                        org.assertj.core.groups.Tuple.tuple("unavailable", unreachable.callId()));
        assertThat(EmfLines.named(data, "AcceptLatency")).extracting(d -> d.dimensions().get("Outcome"))
                .containsExactlyInAnyOrder("refused", "unavailable");
        assertThat(EmfLines.named(data, "CallsQueued")).isEmpty();
        assertThat(EmfLines.named(data, "WebhooksReceived")).hasSize(2);
    }

    private int deliver(IncomingCallSpec call, String webhookId) {
        byte[] body = WebhookEvent.incomingCall(call, Clock.systemUTC()).body();
        return handler.handleRequest(event(signer.signedHeaders(webhookId, body), body), null).getStatusCode();
    }

    /**
     * Runs {@code action} with standard output and the JSON log's stream (where the EMF lines go: standard output in
     * Lambda) captured; returns both.
     */
    private static String capturingStdout(Runnable action) {
        PrintStream original = System.out;
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (LogCapture logs = LogCapture.quiet()) {
            System.setOut(new PrintStream(copy, true, StandardCharsets.UTF_8));
            action.run();
            return copy.toString(StandardCharsets.UTF_8) + logs.text();
        } finally {
            System.setOut(original);
        }
    }

    private static APIGatewayV2HTTPEvent event(Map<String, String> headers, byte[] body) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRawPath("/openai/webhook")
                .withHeaders(headers)
                .withBody(new String(body, StandardCharsets.UTF_8))
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").withPath("/openai/webhook").build())
                        .build())
                .build();
    }
}
