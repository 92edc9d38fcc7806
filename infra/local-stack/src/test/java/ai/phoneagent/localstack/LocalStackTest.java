package ai.phoneagent.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallStatus;
import ai.phoneagent.config.Env;
import ai.phoneagent.simulator.ApiRequest;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookSender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local stack with no configuration: embedded AWS, the simulator, the API Gateway bridge on a real port. */
class LocalStackTest {
    private static LocalStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(Env.of(Map.of("PORT", "0")), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void demoCallCompletesIntakeWithNoConfiguration() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String callId = new DemoCall(stack, new PrintStream(out, true, StandardCharsets.UTF_8), Clock.systemUTC()).place();
        String console = out.toString(StandardCharsets.UTF_8);
        assertThat(console).contains("webhook delivery 1 -> HTTP 200").contains("webhook verified, call accepted");
        assertThat(stack.store().get(callId).orElseThrow().status()).isIn(CallStatus.QUEUED, CallStatus.ATTACHED,
                CallStatus.ENDED);
        assertThat(stack.simulator().orElseThrow().requests(callId))
                .anyMatch(r -> r.endpoint() == ApiRequest.Endpoint.ACCEPT && r.status() == 200);
    }

    @Test
    void keepsServingFurtherSignedWebhooksOverHttp() {
        String secret = stack.generatedWebhookSecret().orElseThrow();
        IncomingCallSpec call = IncomingCallSpec.random();
        var report = new WebhookSender(secret, Clock.systemUTC(), RedeliveryPolicy.once())
                .sendIncomingCall(stack.webhookUrl(), call);
        assertThat(report.statuses()).containsExactly(200);
        assertThat(stack.store().get(call.callId())).isPresent();
    }

    @Test
    void forgedWebhookOverHttpIsRejected() {
        var report = new WebhookSender("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]),
                Clock.systemUTC(), RedeliveryPolicy.once()).sendIncomingCall(stack.webhookUrl(), IncomingCallSpec.random());
        assertThat(report.statuses()).containsExactly(401);
    }

    @Test
    void unknownRoutesAnswerLikeApiGatewayWithJson404() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port() + "/nowhere")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"ok\":false");
    }
}
