package ai.phoneagent.control.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.config.Env;
import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.control.Events;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.TraceParent;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import ai.phoneagent.simulator.webhook.WebhookSender;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.TestKeys;
import ai.phoneagent.webhook.WebhookApp;
import ai.phoneagent.webhook.WebhookConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One trace per call: two calls at once go through the real webhook service (one with a {@code traceparent} from the
 * caller, one without), SQS, a real session worker and the real control handler, with call events posted to a
 * loopback receiver. Every JSON log line is then grouped by {@code call_id} and {@code trace_id}.
 */
abstract class CallTraceSuite {
    private static final Duration WAIT = E2eBed.WAIT;

    abstract AwsBackend backend();

    private E2eBed bed;
    private HttpFront front;
    private ControlHandler control;
    private HttpServer receiver;
    /** Call-event posts as received: the payload's call id and the {@code traceparent} header. */
    private final List<Map.Entry<String, String>> posts = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final WebhookSender signer = new WebhookSender(TestKeys.WEBHOOK_SECRET, Clock.systemUTC(),
            RedeliveryPolicy.fast());

    @BeforeEach
    void start() throws IOException {
        bed = new E2eBed(backend());
        Map<String, String> webhookEnv = new HashMap<>(bed.env(Map.of()));
        webhookEnv.put("OPENAI_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET);
        front = new HttpFront(WebhookApp.service(WebhookConfig.fromEnv(Env.of(webhookEnv)), Clock.systemUTC(),
                bed.store, bed.queue));
        control = bed.control(Map.of());
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/events", exchange -> {
            JsonNode body = Json.parse(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            posts.add(Map.entry(body.at("/data/call_id").asText(),
                    String.valueOf(exchange.getRequestHeaders().getFirst("traceparent"))));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        bed.startWorker(Map.of(
                "CALL_EVENTS_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/events",
                "CALL_EVENTS_SECRET", "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]),
                "CALL_EVENTS_QUEUE_URL", bed.aws.callEventsQueueUrl(),
                "CALL_EVENTS_QUEUE_WAIT_SECONDS", "1",
                "CALL_EVENTS_RETRY_BASE_MS", "1000", // call.ended found before ENDED is stored comes back soon
                "CALL_EVENTS_RETRY_MAX_MS", "1000"));
    }

    @AfterEach
    void stop() {
        try {
            assertThat(TestKeys.containsSecret(bed.logs())).as("log output contains a secret").isFalse();
        } finally {
            receiver.stop(0);
            front.close();
            bed.close();
        }
    }

    @Test
    void followsEachCallsTraceThroughWebhookWorkerAndControlWithoutMixingConcurrentCalls() throws Exception {
        String callerTrace = TraceParent.newTraceId();
        IncomingCallSpec traced = IncomingCallSpec.random();
        IncomingCallSpec other = IncomingCallSpec.random();
        for (IncomingCallSpec spec : List.of(traced, other)) {
            bed.sim.useScenario(spec.callId(), Scenario.of("stays up", Step.await(AwaitTarget.GREETING),
                    Step.caller("Hello, is anyone there?")));
        }
        // both webhooks at once: one with the caller's traceparent, one without (its trace starts at the webhook)
        var first = CompletableFuture.supplyAsync(() -> deliver(traced, "00-" + callerTrace + "-00f067aa0ba902b7-01"));
        var second = CompletableFuture.supplyAsync(() -> deliver(other, null));
        assertThat(first.get()).isEqualTo(200);
        assertThat(second.get()).isEqualTo(200);
        for (IncomingCallSpec spec : List.of(traced, other)) {
            bed.awaitControlReady(spec.callId());
        }
        String otherTrace = bed.call(other.callId()).traceId();
        assertThat(bed.call(traced.callId()).traceId()).as("stored on the call item").isEqualTo(callerTrace);
        assertThat(TraceParent.isValidTraceId(otherTrace)).as("a trace started by the webhook").isTrue();
        assertThat(otherTrace).isNotEqualTo(callerTrace);

        // operator commands on both calls at once, then hang both up
        var instructA = CompletableFuture.supplyAsync(() -> command(traced.callId(), "instructions",
                "{\"text\":\"Be brief.\"}"));
        var instructB = CompletableFuture.supplyAsync(() -> command(other.callId(), "instructions",
                "{\"text\":\"Be brief.\"}"));
        assertThat(instructA.get().status()).as(instructA.get().raw()).isEqualTo(200);
        assertThat(instructB.get().status()).as(instructB.get().raw()).isEqualTo(200);
        for (IncomingCallSpec spec : List.of(traced, other)) {
            assertThat(command(spec.callId(), "hangup", "{}").status()).isEqualTo(200);
        }
        Await.until("call.started and call.ended posted for both calls", WAIT, () ->
                posts.stream().filter(p -> p.getKey().equals(traced.callId())).count() >= 2
                        && posts.stream().filter(p -> p.getKey().equals(other.callId())).count() >= 2);

        List<JsonNode> lines = bed.logs().lines().filter(l -> l.startsWith("{")).map(CallTraceSuite::parse)
                .filter(l -> l != null).toList();
        assertStory(lines, traced.callId(), callerTrace);
        assertStory(lines, other.callId(), otherTrace);

        // the receiver's traceparent joins each call's trace
        for (var post : posts) {
            String expected = post.getKey().equals(traced.callId()) ? callerTrace : otherTrace;
            assertThat(TraceParent.traceId(post.getValue())).as("traceparent of %s", post).contains(expected);
        }
    }

    /**
     * The lines that name the call: the webhook's, the worker's and the control side's all carry its trace, and no
     * line in its trace names another call.
     */
    private static void assertStory(List<JsonNode> lines, String callId, String traceId) {
        List<JsonNode> story = lines.stream().filter(l -> traceId.equals(l.path("trace_id").asText())).toList();
        assertThat(story).as("every line in the trace is about its call")
                .allSatisfy(l -> assertThat(l.path("call_id").asText()).isEqualTo(callId));
        assertThat(lines.stream().filter(l -> callId.equals(l.path("call_id").asText()) && l.has("trace_id")))
                .as("no line about the call carries another trace")
                .allSatisfy(l -> assertThat(l.path("trace_id").asText()).isEqualTo(traceId));
        Set<String> told = story.stream().map(l -> l.path("component").asText() + ": " + l.path("msg").asText())
                .collect(Collectors.toSet());
        assertThat(told).as("the call's story in one trace").contains(
                "webhook: webhook handled",        // the webhook Lambda
                "intake: call claimed",            // the worker's queue intake
                "call: call attached",             // the call's mailbox
                "control: command received",       // the call's control-queue reader (the instructions)
                "control-lambda: hang-up at the control side", // the operator's hang-up, sent by the control side
                "call: call socket closed",        // the owner sees OpenAI end the call
                "call: call ended",
                "call-events: call event delivered", // the call-events deliverer
                "control-lambda: request");        // the control Lambda's request lines
        assertThat(story.stream().filter(l -> l.path("msg").asText().equals("request")).count())
                .as("both command requests").isGreaterThanOrEqualTo(2);
    }

    private int deliver(IncomingCallSpec spec, String traceparent) {
        WebhookEvent event = WebhookEvent.incomingCall(spec, Clock.systemUTC());
        byte[] body = event.body();
        HttpRequest.Builder request = HttpRequest.newBuilder(front.url("/openai/webhook"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("content-type", "application/json");
        signer.signedHeaders("wh_" + spec.callId(), body).forEach(request::header);
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("webhook not delivered", e);
        }
    }

    private E2eBed.Reply command(String callId, String verb, String json) {
        return bed.send(control, Events.request("POST", "/control/calls/" + callId + "/" + verb)
                .bearer(TestKeys.CONTROL_API_TOKEN).json(json).build());
    }

    private static JsonNode parse(String line) {
        try {
            return Json.parse(line);
        } catch (IOException e) {
            return null;
        }
    }
}
