package ai.phoneagent.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.Turn;
import ai.phoneagent.config.Env;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookSender;
import ai.phoneagent.testing.Await;
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

/**
 * The local stack exactly as {@code scripts/run.sh} starts it with no configuration: embedded AWS, the simulator,
 * a worker, the webhook and control APIs on a real port.
 */
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
    void demoPlaysTheWholeCallWithNoConfiguration() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
        boolean finished;
        String callId;
        try (var echo = new DiscordEcho(stack.discord().orElseThrow(), console)) {
            DemoCall demo = new DemoCall(stack, console, Clock.systemUTC());
            finished = demo.run();
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(finished).as(text).isTrue();
        assertThat(text).contains("webhook delivery 1 -> HTTP 200", "webhook verified, call accepted",
                "/instructions -> HTTP 200", "the agent called transfer_to_human", "/hangup -> HTTP 200",
                "call ended: operator_hangup", "discord | Agent: " + ai.phoneagent.worker.WorkerConfig.DEFAULT_WELCOME_MESSAGE,
                "discord | Caller: Hi, what are your opening hours?");
        callId = text.lines().filter(l -> l.contains("(call rtc_")).findFirst().orElseThrow()
                .replaceAll(".*\\(call (rtc_[A-Za-z0-9]+)\\).*", "$1");
        CallRecord call = stack.store().get(callId).orElseThrow();
        assertThat(call.status()).isEqualTo(CallStatus.ENDED);
        var turns = stack.store().turns(callId, -1, 100).items();
        assertThat(turns.getFirst().speaker()).isEqualTo(Turn.Speaker.AGENT);
        assertThat(turns.getFirst().text()).isEqualTo(ai.phoneagent.worker.WorkerConfig.DEFAULT_WELCOME_MESSAGE);
        assertThat(turns).extracting(Turn::text).contains("Hi, what are your opening hours?");
        assertThat(stack.twilio().orElseThrow().participantCreations()).hasSize(1);
        assertThat(stack.simulator().orElseThrow().requests(callId))
                .anyMatch(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP);
    }

    @Test
    void aCallPlacedLocallyGetsASummaryShownByTheControlApi() throws Exception {
        String secret = stack.generated("OPENAI_WEBHOOK_SECRET").orElseThrow();
        IncomingCallSpec call = IncomingCallSpec.random();
        stack.simulator().orElseThrow().useScenario(call.callId(), ai.phoneagent.simulator.scenario.Scenario.of("short",
                ai.phoneagent.simulator.scenario.Step.await(ai.phoneagent.simulator.scenario.AwaitTarget.GREETING),
                ai.phoneagent.simulator.scenario.Step.caller("Do you deliver on Sundays?"),
                ai.phoneagent.simulator.scenario.Step.agent("Yes, until noon."),
                ai.phoneagent.simulator.scenario.Step.hangup(true)));
        new WebhookSender(secret, Clock.systemUTC(), RedeliveryPolicy.once()).sendIncomingCall(stack.webhookUrl(), call);

        Await.until("the call's summary is done", java.time.Duration.ofSeconds(60), () -> stack.store().get(call.callId())
                .map(c -> c.summary() != null && c.summary().status() == ai.phoneagent.call.CallSummary.Status.DONE)
                .orElse(false));

        HttpResponse<String> detail = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        stack.baseUrl().resolve("/control/calls/" + call.callId()))
                .header("Authorization", "Bearer " + stack.generated("CONTROL_API_TOKEN").orElseThrow()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(detail.statusCode()).isEqualTo(200);
        var summary = ai.phoneagent.json.Json.parse(detail.body()).at("/call/summary");
        assertThat(summary.path("status").asText()).isEqualTo("done");
        assertThat(summary.path("reason").asText()).isEqualTo("Do you deliver on Sundays?");
        assertThat(summary.path("model").asText()).isEqualTo("gpt-4.1-mini");
    }

    @Test
    void keepsServingFurtherSignedWebhooksOverHttp() {
        String secret = stack.generated("OPENAI_WEBHOOK_SECRET").orElseThrow();
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
    void controlApiIsServedBehindTheGeneratedBearerToken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI calls = stack.baseUrl().resolve("/control/calls");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(calls).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> authorised = http.send(HttpRequest.newBuilder(calls)
                .header("Authorization", "Bearer " + stack.generated("CONTROL_API_TOKEN").orElseThrow()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(authorised.statusCode()).isEqualTo(200);
        assertThat(authorised.body()).contains("\"ok\":true");
    }

    @Test
    void unknownRoutesAnswerLikeApiGatewayWithJson404() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(stack.baseUrl().resolve("/nowhere")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"ok\":false");
    }
}
