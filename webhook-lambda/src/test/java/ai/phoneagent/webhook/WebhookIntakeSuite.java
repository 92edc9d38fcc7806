package ai.phoneagent.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.simulator.CallVerb;
import ai.phoneagent.simulator.CallsAnswer;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.SimulatorConfig;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import ai.phoneagent.simulator.webhook.WebhookSender;
import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.AwsFixture;
import ai.phoneagent.testing.LogCapture;
import ai.phoneagent.testing.TestKeys;
import ai.phoneagent.tools.ToolDefinition;
import ai.phoneagent.tools.ToolRegistry;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;

/**
 * The webhook Lambda's handler end to end: real DynamoDB and SQS engines over HTTP, the connector simulator as
 * OpenAI. Subclasses choose the AWS backend (embedded here, LocalStack where Docker exists).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebhookIntakeSuite {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private AwsFixture aws;
    private ConnectorSimulator openAi;
    private WebhookSender signer;
    private WebhookHandler handler;
    private WebhookConfig config;
    private LogCapture logs;

    abstract AwsBackend backend();

    @BeforeAll
    void startBackends() {
        aws = AwsFixture.on(backend());
        openAi = ConnectorSimulator.start(SimulatorConfig.builder().apiKey(TestKeys.OPENAI_API_KEY).build());
        signer = new WebhookSender(TestKeys.WEBHOOK_SECRET, Clock.systemUTC(), RedeliveryPolicy.once());
        config = configWith(Map.of());
        handler = new WebhookHandler(WebhookApp.service(config, Clock.systemUTC()));
    }

    @AfterAll
    void stopBackends() {
        openAi.close();
    }

    @BeforeEach
    void captureLogs() {
        logs = LogCapture.quiet();
    }

    @AfterEach
    void restoreLogs() {
        logs.close();
        openAi.clearAnswers();
        aws.drainQueue();
        assertThat(TestKeys.containsSecret(logs.text())).as("logs leak a secret").isFalse();
    }

    private WebhookConfig configWith(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(aws.env());
        env.put("OPENAI_API_KEY", TestKeys.OPENAI_API_KEY);
        env.put("OPENAI_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET);
        env.put("OPENAI_BASE_URL", openAi.baseUrl().toString());
        env.put("ACCEPT_DEADLINE_MS", "1500");
        env.putAll(overrides);
        return WebhookConfig.fromEnv(Env.of(env));
    }

    // ------------------------------------------------------------------ helpers

    private static APIGatewayV2HTTPEvent event(String method, String path, Map<String, String> headers, byte[] body,
                                               boolean base64) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRawPath(path)
                .withHeaders(headers)
                .withBody(base64 ? Base64.getEncoder().encodeToString(body) : new String(body, StandardCharsets.UTF_8))
                .withIsBase64Encoded(base64)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .build())
                .build();
    }

    private APIGatewayV2HTTPEvent signed(WebhookEvent webhook, String webhookId) {
        byte[] body = webhook.body();
        return event("POST", "/openai/webhook", signer.signedHeaders(webhookId, body), body, false);
    }

    private APIGatewayV2HTTPResponse deliver(WebhookHandler target, WebhookEvent webhook, String webhookId) {
        return target.handleRequest(signed(webhook, webhookId), null);
    }

    private APIGatewayV2HTTPResponse deliver(WebhookEvent webhook, String webhookId) {
        return deliver(handler, webhook, webhookId);
    }

    private static WebhookEvent incoming(IncomingCallSpec call) {
        return WebhookEvent.incomingCall(call, Clock.systemUTC());
    }

    private List<ConnectorRequest> accepts(String callId) {
        return openAi.requests(callId).stream().filter(r -> r.endpoint() == ConnectorRequest.Endpoint.ACCEPT).toList();
    }

    private List<CallMessage> queuedMessages() {
        return aws.drainQueue().stream().map(CallMessage::parse).toList();
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws Exception {
        return Json.parse(response.getBody());
    }

    private void assertNothingHappened(String callId) {
        assertThat(openAi.requests(callId)).as("requests to OpenAI").isEmpty();
        assertThat(aws.queueDepth()).as("messages on the calls queue").isZero();
        assertThat(aws.callStore().get(callId)).as("call item").isEmpty();
    }

    // ------------------------------------------------------------------ behaviour

    @Test
    void incomingCallIsRecordedAcceptedAndEnqueuedOnce() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.builder().from("+14255551212").to("+18005551212")
                .header("X-callToken", "tok-123").build();
        APIGatewayV2HTTPResponse response = deliver(incoming(call), "msg_first");

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("outcome").asText()).isEqualTo("queued");
        List<ConnectorRequest> accepts = accepts(call.callId());
        assertThat(accepts).hasSize(1);
        JsonNode session = accepts.getFirst().json();
        assertThat(session.get("type").asText()).isEqualTo("realtime");
        assertThat(session.get("model").asText()).isEqualTo("gpt-realtime");
        assertThat(session.at("/audio/output/voice").asText()).isEqualTo("alloy");
        assertThat(accepts.getFirst().status()).isEqualTo(200);

        List<CallMessage> messages = queuedMessages();
        assertThat(messages).hasSize(1);
        CallMessage message = messages.getFirst();
        assertThat(message.callId()).isEqualTo(call.callId());
        assertThat(message.webhookId()).isEqualTo("msg_first");
        assertThat(message.reason()).isEqualTo(CallMessage.Reason.INCOMING);

        CallRecord stored = aws.callStore().get(call.callId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(CallStatus.QUEUED);
        assertThat(message.acceptedAt()).isEqualTo(stored.acceptedAt().toEpochMilli());
        assertThat(stored.from()).isEqualTo("sip:+14255551212@sip.example.com");
        assertThat(stored.to()).isEqualTo("sip:+18005551212@sip.example.com");
        assertThat(stored.conferenceName()).isEqualTo(call.conferenceName());
        assertThat(stored.callToken()).isEqualTo("tok-123");
    }

    @Test
    void theCallItemCarriesTheFingerprintOfTheToolsTheModelWasOffered() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.builder().from("+14255551212").to("+18005551212").build();
        assertThat(deliver(incoming(call), "msg_tools").getStatusCode()).isEqualTo(200);

        List<ToolDefinition> offered = new ArrayList<>();
        for (JsonNode tool : accepts(call.callId()).getFirst().json().path("tools")) {
            offered.add(new ToolDefinition(tool.path("name").asText(), tool.path("description").asText(),
                    (ObjectNode) tool.path("parameters")));
        }
        assertThat(offered).extracting(ToolDefinition::name).contains("end_call");
        String stored = aws.callStore().get(call.callId()).orElseThrow().toolCatalog();
        assertThat(stored).matches("[0-9a-f]{16}").isEqualTo(ToolRegistry.fingerprint(offered));
        assertThat(stored).as("the worker's registry built from the same settings")
                .isEqualTo(ToolRegistry.fromEnv(Env.of(aws.env())).fingerprint());
        assertThat(queuedMessages()).hasSize(1); // and leaves the queue empty for the next test
    }

    @Test
    void headerNamesAreMatchedInAnyCase() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.builder().header("x-conferencename", "ignored-duplicate").build();
        WebhookEvent webhook = incoming(call);
        Map<String, String> upper = new HashMap<>();
        signer.signedHeaders("msg_case", webhook.body()).forEach((k, v) -> upper.put(k.toUpperCase(), v));
        var response = handler.handleRequest(event("POST", "/openai/webhook", upper, webhook.body(), false), null);
        assertThat(response.getStatusCode()).isEqualTo(200);
        // the first X-conferenceName wins, whatever its case
        assertThat(aws.callStore().get(call.callId()).orElseThrow().conferenceName()).isEqualTo(call.conferenceName());
    }

    @Test
    void base64EncodedBodiesAreVerifiedOverTheDecodedBytes() {
        IncomingCallSpec call = IncomingCallSpec.random();
        WebhookEvent webhook = incoming(call);
        var response = handler.handleRequest(event("POST", "/openai/webhook",
                signer.signedHeaders("msg_b64", webhook.body()), webhook.body(), true), null);
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(accepts(call.callId())).hasSize(1);
    }

    @Test
    void forgedSignatureChangesNothing() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        WebhookEvent webhook = incoming(call);
        Map<String, String> headers = new HashMap<>(signer.signedHeaders("msg_forged", webhook.body()));
        new WebhookSender("whsec_" + Base64.getEncoder().encodeToString("another-secret-entirely!".getBytes()),
                Clock.systemUTC(), RedeliveryPolicy.once()).signedHeaders("msg_forged", webhook.body())
                .forEach(headers::put);
        var response = handler.handleRequest(event("POST", "/openai/webhook", headers, webhook.body(), false), null);
        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(body(response).at("/error/code").asText()).isEqualTo("invalid_signature");
        assertNothingHappened(call.callId());
    }

    @Test
    void staleDeliveryChangesNothing() {
        IncomingCallSpec call = IncomingCallSpec.random();
        WebhookEvent webhook = incoming(call);
        WebhookSender past = new WebhookSender(TestKeys.WEBHOOK_SECRET,
                Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-301)), RedeliveryPolicy.once());
        var response = handler.handleRequest(event("POST", "/openai/webhook",
                past.signedHeaders("msg_stale", webhook.body()), webhook.body(), false), null);
        assertThat(response.getStatusCode()).isEqualTo(401);
        assertNothingHappened(call.callId());
    }

    @Test
    void tamperedBodyChangesNothing() {
        IncomingCallSpec call = IncomingCallSpec.random();
        WebhookEvent webhook = incoming(call);
        byte[] other = webhook.json().replace(call.callId(), call.callId() + "x").getBytes(StandardCharsets.UTF_8);
        var response = handler.handleRequest(event("POST", "/openai/webhook",
                signer.signedHeaders("msg_tamper", webhook.body()), other, false), null);
        assertThat(response.getStatusCode()).isEqualTo(401);
        assertNothingHappened(call.callId());
        assertNothingHappened(call.callId() + "x");
    }

    @Test
    void missingOrMalformedSignatureHeadersChangeNothing() {
        IncomingCallSpec call = IncomingCallSpec.random();
        WebhookEvent webhook = incoming(call);
        for (String drop : List.of("webhook-id", "webhook-timestamp", "webhook-signature")) {
            Map<String, String> headers = new HashMap<>(signer.signedHeaders("msg_missing", webhook.body()));
            headers.remove(drop);
            assertThat(handler.handleRequest(event("POST", "/openai/webhook", headers, webhook.body(), false), null)
                    .getStatusCode()).as("without %s", drop).isEqualTo(401);
        }
        Map<String, String> malformed = new HashMap<>(signer.signedHeaders("msg_bad", webhook.body()));
        malformed.put("webhook-signature", "v1,@@@");
        assertThat(handler.handleRequest(event("POST", "/openai/webhook", malformed, webhook.body(), false), null)
                .getStatusCode()).isEqualTo(401);
        malformed.put("webhook-timestamp", "yesterday");
        assertThat(handler.handleRequest(event("POST", "/openai/webhook", malformed, webhook.body(), false), null)
                .getStatusCode()).isEqualTo(401);
        assertNothingHappened(call.callId());
    }

    @Test
    void replayedDeliveryIsAcknowledgedWithoutSecondAcceptOrMessage() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        WebhookEvent webhook = incoming(call);
        assertThat(deliver(webhook, "msg_replay").getStatusCode()).isEqualTo(200);
        var replay = deliver(webhook, "msg_replay");
        var redeliveryWithNewId = deliver(webhook, "msg_replay_2");
        assertThat(replay.getStatusCode()).isEqualTo(200);
        assertThat(body(replay).get("outcome").asText()).isEqualTo("duplicate");
        assertThat(redeliveryWithNewId.getStatusCode()).isEqualTo(200);
        assertThat(accepts(call.callId())).hasSize(1);
        assertThat(queuedMessages()).hasSize(1);
    }

    @Test
    void tenConcurrentDeliveriesOfOneCallAcceptAndEnqueueOnce() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        WebhookEvent webhook = incoming(call);
        List<Callable<Integer>> deliveries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String webhookId = i % 2 == 0 ? "msg_same" : "msg_concurrent_" + i;
            deliveries.add(() -> deliver(webhook, webhookId).getStatusCode());
        }
        List<Integer> statuses = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Integer> f : pool.invokeAll(deliveries)) {
                statuses.add(f.get());
            }
        }
        assertThat(statuses).containsOnly(200);
        assertThat(accepts(call.callId())).hasSize(1);
        assertThat(queuedMessages()).extracting(CallMessage::callId).containsExactly(call.callId());
    }

    @Test
    void enqueueFailureIsRetriedByOpenAiWithoutASecondAccept() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        WebhookEvent webhook = incoming(call);
        String missingQueue = aws.queueUrl() + "-does-not-exist";
        WebhookHandler broken = new WebhookHandler(WebhookApp.service(
                configWith(Map.of("CALLS_QUEUE_URL", missingQueue)), Clock.systemUTC()));

        var failed = deliver(broken, webhook, "msg_enqueue");
        assertThat(failed.getStatusCode()).isEqualTo(500);
        assertThat(body(failed).at("/error/code").asText()).isEqualTo("enqueue_failed");
        assertThat(aws.callStore().get(call.callId()).orElseThrow().status()).isEqualTo(CallStatus.ACCEPTED);

        var retried = deliver(webhook, "msg_enqueue");
        assertThat(retried.getStatusCode()).isEqualTo(200);
        assertThat(accepts(call.callId())).hasSize(1);
        assertThat(queuedMessages()).extracting(CallMessage::callId).containsExactly(call.callId());
        assertThat(aws.callStore().get(call.callId()).orElseThrow().status()).isEqualTo(CallStatus.QUEUED);
    }

    @Test
    void acceptNotFoundRecordsGoneAndAnswers200() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        openAi.answer(call.callId(), CallVerb.ACCEPT, CallsAnswer.notFound());
        var response = deliver(incoming(call), "msg_gone");
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("outcome").asText()).isEqualTo("gone");
        CallRecord gone = aws.callStore().get(call.callId()).orElseThrow();
        assertThat(gone.status()).isEqualTo(CallStatus.GONE);
        assertThat(gone.endReason()).isEqualTo("caller_gone");
        assertThat(aws.queueDepth()).isZero();
        assertThat(deliver(incoming(call), "msg_gone").getStatusCode()).as("a retry after hang-up").isEqualTo(200);
        assertThat(accepts(call.callId())).hasSize(1);
    }

    @Test
    void acceptRefusedRecordsFailedWithOpenAisMessage() {
        IncomingCallSpec call = IncomingCallSpec.random();
        openAi.answer(call.callId(), CallVerb.ACCEPT, CallsAnswer.badRequest("Invalid value for 'voice'."));
        var response = deliver(incoming(call), "msg_refused");
        assertThat(response.getStatusCode()).isEqualTo(200);
        CallRecord stored = aws.callStore().get(call.callId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(CallStatus.FAILED);
        assertThat(stored.endReason()).isEqualTo("accept_refused");
        assertThat(stored.failureReason()).isEqualTo("HTTP 400: Invalid value for 'voice'.");
        assertThat(aws.queueDepth()).isZero();
    }

    @Test
    void acceptServerErrorsAnswer500AndALaterRetrySucceeds() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        openAi.answerAlways(call.callId(), CallVerb.ACCEPT, CallsAnswer.serverError(503));
        var failed = deliver(incoming(call), "msg_5xx");
        assertThat(failed.getStatusCode()).isEqualTo(500);
        assertThat(body(failed).at("/error/code").asText()).isEqualTo("accept_unavailable");
        assertThat(aws.callStore().get(call.callId()).orElseThrow().status()).isEqualTo(CallStatus.RECEIVED);
        assertThat(aws.queueDepth()).isZero();

        openAi.clearAnswers();
        var retried = deliver(incoming(call), "msg_5xx");
        assertThat(retried.getStatusCode()).isEqualTo(200);
        assertThat(accepts(call.callId()).stream().filter(r -> r.status() == 200)).hasSize(1);
        assertThat(queuedMessages()).hasSize(1);
    }

    @Test
    void slowAcceptIsCutOffWithinTheDeadlineAndAnswers500() {
        IncomingCallSpec call = IncomingCallSpec.random();
        openAi.answer(call.callId(), CallVerb.ACCEPT, CallsAnswer.slow(Duration.ofSeconds(10), CallsAnswer.ok()));
        long started = System.nanoTime();
        var response = deliver(incoming(call), "msg_slow");
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(elapsedMs).as("bounded by ACCEPT_DEADLINE_MS plus store round trips").isLessThan(5_000);
        assertThat(aws.queueDepth()).isZero();
    }

    @Test
    void unparseableJsonOrMissingCallIdIs400AndChangesNothing() throws Exception {
        byte[] notJson = "{not json".getBytes(StandardCharsets.UTF_8);
        var response = handler.handleRequest(event("POST", "/openai/webhook",
                signer.signedHeaders("msg_junk", notJson), notJson, false), null);
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(body(response).at("/error/code").asText()).isEqualTo("invalid_request");

        byte[] noCallId = "{\"type\":\"realtime.call.incoming\",\"data\":{\"sip_headers\":[]}}".getBytes(StandardCharsets.UTF_8);
        var missing = handler.handleRequest(event("POST", "/openai/webhook",
                signer.signedHeaders("msg_nocall", noCallId), noCallId, false), null);
        assertThat(missing.getStatusCode()).isEqualTo(400);
        assertThat(body(missing).at("/error/message").asText()).isEqualTo("data.call_id is missing");
        assertThat(openAi.requests()).noneMatch(r -> r.endpoint() == ConnectorRequest.Endpoint.ACCEPT
                && r.callId() == null);
        assertThat(aws.queueDepth()).isZero();
    }

    @Test
    void otherEventTypesAreAcknowledgedAndIgnored() throws Exception {
        WebhookEvent other = WebhookEvent.of("response.completed", Json.object().put("id", "resp_1"), Clock.systemUTC());
        var response = deliver(other, "msg_other");
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("outcome").asText()).isEqualTo("ignored");
        assertThat(aws.queueDepth()).isZero();
    }

    @Test
    void wrongMethodPathAndOversizedBodiesGetPreciseErrors() throws Exception {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        var get = handler.handleRequest(event("GET", "/openai/webhook", Map.of(), body, false), null);
        assertThat(get.getStatusCode()).isEqualTo(405);
        var elsewhere = handler.handleRequest(event("POST", "/openai/hooks", Map.of(), body, false), null);
        assertThat(elsewhere.getStatusCode()).isEqualTo(404);
        byte[] huge = new byte[config.maxBodyBytes() + 1];
        var tooLarge = handler.handleRequest(event("POST", "/openai/webhook",
                signer.signedHeaders("msg_huge", huge), huge, true), null);
        assertThat(tooLarge.getStatusCode()).isEqualTo(413);
        for (var response : List.of(get, elsewhere, tooLarge)) {
            assertThat(body(response).get("ok").asBoolean()).isFalse();
            assertThat(response.getHeaders()).containsEntry("content-type", "application/json");
        }
    }

    @Test
    void responsesAndLogsNeverCarrySecretsOrStackTraces() {
        IncomingCallSpec call = IncomingCallSpec.random();
        openAi.answer(call.callId(), CallVerb.ACCEPT, CallsAnswer.badRequest("bad " + TestKeys.OPENAI_API_KEY.substring(0, 4)));
        List<APIGatewayV2HTTPResponse> responses = List.of(
                deliver(incoming(call), "msg_s1"),
                handler.handleRequest(event("POST", "/openai/webhook", Map.of("webhook-id", "x"), new byte[] {1}, false), null));
        for (var response : responses) {
            assertThat(TestKeys.containsSecret(response.getBody() + response.getHeaders())).isFalse();
            assertThat(response.getBody()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        String logText = logs.text();
        assertThat(logText.lines().filter(l -> l.contains("\"component\":\"webhook\""))).hasSize(2);
        assertThat(logText).contains("\"call_id\":\"" + call.callId() + "\"").contains("\"latency_ms\"");
    }

    // ------------------------------------------------------------------ crash windows of the three-write path

    private static IncomingCall stored(IncomingCallSpec call, String webhookId) {
        return new IncomingCall(call.callId(), webhookId, call.sipHeaders());
    }

    @Test
    void aDeliveryThatDiedBeforeAcceptingIsFinishedOnceItsClaimLapses() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        Instant died = Instant.now().minusSeconds(60);
        aws.callStore().recordIncoming(stored(call, "msg_died"), died, "dead-delivery", Duration.ofSeconds(10));

        var response = deliver(incoming(call), "msg_died");
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("outcome").asText()).isEqualTo("queued");
        assertThat(accepts(call.callId())).hasSize(1);
        assertThat(queuedMessages()).extracting(CallMessage::callId).containsExactly(call.callId());
        assertThat(aws.callStore().get(call.callId()).orElseThrow().status()).isEqualTo(CallStatus.QUEUED);
    }

    @Test
    void aDeliveryThatDiedBetweenMarkingQueuedAndSendingIsSentOnceItsClaimLapsesWithoutASecondAccept() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        Instant died = Instant.now().minusSeconds(60);
        aws.callStore().recordIncoming(stored(call, "msg_died_send"), died, "dead-accept", Duration.ofSeconds(10));
        assertThat(aws.callStore().startEnqueue(call.callId(), "dead-accept", "dead-send", died.plusSeconds(1),
                CallIntake.ENQUEUE_LEASE)).isTrue();

        var response = deliver(incoming(call), "msg_died_send");
        var again = deliver(incoming(call), "msg_died_send");
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("outcome").asText()).isEqualTo("queued");
        assertThat(body(again).get("outcome").asText()).isEqualTo("duplicate");
        assertThat(accepts(call.callId())).as("accepted by the dead delivery only").isEmpty();
        List<CallMessage> messages = queuedMessages();
        assertThat(messages).extracting(CallMessage::callId).containsExactly(call.callId());
        assertThat(messages.getFirst().acceptedAt()).isEqualTo(died.plusSeconds(1).toEpochMilli());
        assertThat(aws.callStore().get(call.callId()).orElseThrow().status()).isEqualTo(CallStatus.QUEUED);
    }

    @Test
    void aRedeliveryWhileTheSenderStillHoldsItsEnqueueClaimSendsNothing() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        Instant now = Instant.now();
        aws.callStore().recordIncoming(stored(call, "msg_sending"), now, "live-accept", Duration.ofSeconds(10));
        assertThat(aws.callStore().startEnqueue(call.callId(), "live-accept", "live-send", now, CallIntake.ENQUEUE_LEASE))
                .isTrue();

        var response = deliver(incoming(call), "msg_sending");
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("outcome").asText()).isEqualTo("duplicate");
        assertThat(accepts(call.callId())).isEmpty();
        assertThat(aws.queueDepth()).isZero();
    }

    @Test
    void aWorkerClaimingTheCallAsSoonAsItsMessageArrivesIsNeverOverwrittenByIntake() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Boolean> worker = pool.submit(() -> {
                long until = System.nanoTime() + WAIT.toNanos();
                while (System.nanoTime() < until) {
                    for (var message : aws.callsQueue().receive(1, 1)) {
                        aws.callsQueue().delete(message.receiptHandle()); // as a worker does after its claim
                        if (CallMessage.parse(message.body()).callId().equals(call.callId())) {
                            return aws.callStore().claimOwnership(call.callId(), "worker-fast", Instant.now())
                                    .isPresent();
                        }
                    }
                }
                return false;
            });
            var response = deliver(incoming(call), "msg_fast_worker");
            assertThat(response.getStatusCode()).isEqualTo(200);
            assertThat(worker.get()).as("the worker's claim succeeded").isTrue();
        }
        CallRecord stored = aws.callStore().get(call.callId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(stored.owner()).isEqualTo("worker-fast");
        var late = deliver(incoming(call), "msg_fast_worker");
        assertThat(body(late).get("outcome").asText()).isEqualTo("duplicate");
        assertThat(aws.callStore().get(call.callId()).orElseThrow().owner()).isEqualTo("worker-fast");
    }

    @Test
    void aDeliveryThatDiedAfterSendingBeforeItsMarkLandedIsTakenByAWorkerWithoutASecondAcceptOrMessage() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        Instant accepted = Instant.now();
        // as the dead delivery left it: recorded under its live accept claim, accepted, its message sent, no mark
        aws.callStore().recordIncoming(stored(call, "msg_died_mark"), accepted, "dead-accept", Duration.ofSeconds(10));
        aws.callsQueue().send(new CallMessage(call.callId(), "msg_died_mark", accepted.toEpochMilli(),
                CallMessage.Reason.INCOMING));

        var waiting = deliver(incoming(call), "msg_died_mark"); // no worker yet: waits for the claim holder, then 500
        assertThat(waiting.getStatusCode()).isEqualTo(500);
        assertThat(body(waiting).at("/error/code").asText()).isEqualTo("in_progress");
        List<CallMessage> messages = queuedMessages();
        assertThat(messages).extracting(CallMessage::callId).containsExactly(call.callId());

        CallRecord claimed = aws.callStore().claimOwnership(call.callId(), "worker-1", Instant.now()).orElseThrow();
        assertThat(claimed.status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(claimed.acceptedAt()).as("recorded by the claim, the message having proved the accept").isNotNull();
        var late = deliver(incoming(call), "msg_died_mark");
        assertThat(late.getStatusCode()).isEqualTo(200);
        assertThat(body(late).get("outcome").asText()).isEqualTo("duplicate");
        assertThat(accepts(call.callId())).as("accepted by the dead delivery only").isEmpty();
        assertThat(aws.queueDepth()).isZero();
        assertThat(aws.callStore().get(call.callId()).orElseThrow().owner()).isEqualTo("worker-1");
    }

    @Test
    void aMarkThatFailsWhileTheMessageGoesOutAnswers500AndTheWorkerStillTakesTheCallOnce() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        CallStore failingMarks = new CallStore(
                new FaultyDynamo(aws.dynamo(), new CopyOnWriteArrayList<>(), Duration.ZERO, true), aws.tableName());
        WebhookHandler broken = new WebhookHandler(WebhookApp.service(config, Clock.systemUTC(), failingMarks,
                aws.callsQueue()));

        var failed = deliver(broken, incoming(call), "msg_mark_fails");
        assertThat(failed.getStatusCode()).isEqualTo(500);
        assertThat(body(failed).at("/error/code").asText()).isEqualTo("internal_error");
        assertThat(accepts(call.callId())).hasSize(1);
        assertThat(aws.callStore().get(call.callId()).orElseThrow().status()).isEqualTo(CallStatus.RECEIVED);
        List<CallMessage> messages = queuedMessages();
        assertThat(messages).extracting(CallMessage::callId).containsExactly(call.callId());

        assertThat(aws.callStore().claimOwnership(call.callId(), "worker-1", Instant.now())).isPresent();
        var redelivered = deliver(incoming(call), "msg_mark_fails");
        assertThat(body(redelivered).get("outcome").asText()).isEqualTo("duplicate");
        assertThat(accepts(call.callId())).hasSize(1);
        assertThat(aws.queueDepth()).isZero();
        assertThat(aws.callStore().get(call.callId()).orElseThrow().status()).isEqualTo(CallStatus.ATTACHED);
    }

    @Test
    void aDeliveryWhoseAcceptClaimIsNearlySpentMarksTheCallBeforeItSends() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        List<String> steps = new CopyOnWriteArrayList<>();
        // the first write takes 3.5 s of the 5 s claim (2 x the 1.5 s accept deadline + 2 s): under 2 s are left
        CallStore slowPut = new CallStore(new FaultyDynamo(aws.dynamo(), steps, Duration.ofMillis(3_500), false),
                aws.tableName());
        CallsQueue recordedSends = new CallsQueue(new SendsNoted(aws.sqs(), steps), aws.queueUrl());
        WebhookHandler slow = new WebhookHandler(WebhookApp.service(config, Clock.systemUTC(), slowPut, recordedSends));

        var response = deliver(slow, incoming(call), "msg_nearly_spent");
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("outcome").asText()).isEqualTo("queued");
        assertThat(steps).as("mark landed before the send started").containsExactly("put", "update done", "send");
        assertThat(queuedMessages()).extracting(CallMessage::callId).containsExactly(call.callId());
        assertThat(aws.callStore().get(call.callId()).orElseThrow().status()).isEqualTo(CallStatus.QUEUED);
    }

    /** The real SQS, each send noted in {@code steps} as it starts. */
    private record SendsNoted(SqsClient real, List<String> steps) implements SqsClient {
        @Override
        public SendMessageResponse sendMessage(SendMessageRequest request) {
            steps.add("send");
            return real.sendMessage(request);
        }

        @Override
        public String serviceName() {
            return real.serviceName();
        }

        @Override
        public void close() {
        }
    }

    /**
     * The real DynamoDB with faults: each put answered {@code putDelay} late (the item written), and every UpdateItem,
     * when {@code updatesFail}, failing as a timed-out call would before it reaches the table; writes noted in
     * {@code steps}.
     */
    private record FaultyDynamo(DynamoDbClient real, List<String> steps, Duration putDelay, boolean updatesFail)
            implements DynamoDbClient {
        @Override
        public PutItemResponse putItem(PutItemRequest request) {
            PutItemResponse response = real.putItem(request);
            LockSupport.parkNanos(putDelay.toNanos());
            steps.add("put");
            return response;
        }

        @Override
        public GetItemResponse getItem(GetItemRequest request) {
            return real.getItem(request);
        }

        @Override
        public UpdateItemResponse updateItem(UpdateItemRequest request) {
            if (updatesFail) {
                throw SdkClientException.create("injected: UpdateItem timed out");
            }
            UpdateItemResponse response = real.updateItem(request);
            steps.add("update done");
            return response;
        }

        @Override
        public String serviceName() {
            return real.serviceName();
        }

        @Override
        public void close() {
        }
    }

    // ------------------------------------------------------------------ one trace per call

    private APIGatewayV2HTTPResponse deliverWithTraceparent(IncomingCallSpec call, String webhookId, String traceparent) {
        byte[] body = incoming(call).body();
        Map<String, String> headers = new HashMap<>(signer.signedHeaders(webhookId, body));
        headers.put("traceparent", traceparent);
        return handler.handleRequest(event("POST", "/openai/webhook", headers, body, false), null);
    }

    private List<JsonNode> handledLines(String callId) {
        return logs.text().lines().filter(l -> l.contains("\"webhook handled\"") && l.contains(callId)).map(l -> {
            try {
                return Json.parse(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }

    @Test
    void theCallersTraceparentStartsTheCallsTraceOnTheItemTheMessageAndTheLogLine() throws Exception {
        String trace = ai.phoneagent.logging.TraceParent.newTraceId();
        IncomingCallSpec call = IncomingCallSpec.random();
        assertThat(deliverWithTraceparent(call, "msg_traced", "00-" + trace + "-00f067aa0ba902b7-01").getStatusCode())
                .isEqualTo(200);
        assertThat(aws.callStore().get(call.callId()).orElseThrow().traceId()).isEqualTo(trace);
        assertThat(queuedMessages()).extracting(CallMessage::traceId).containsExactly(trace);
        assertThat(handledLines(call.callId())).singleElement()
                .satisfies(line -> assertThat(line.path("trace_id").asText()).isEqualTo(trace));
    }

    @Test
    void anInvalidTraceparentIsIgnoredAndTheWebhookStartsANewTrace() throws Exception {
        IncomingCallSpec call = IncomingCallSpec.random();
        String invalid = "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01";
        assertThat(deliverWithTraceparent(call, "msg_invalid", invalid).getStatusCode()).isEqualTo(200);
        String stored = aws.callStore().get(call.callId()).orElseThrow().traceId();
        assertThat(ai.phoneagent.logging.TraceParent.isValidTraceId(stored)).isTrue();
        assertThat(queuedMessages()).extracting(CallMessage::traceId).containsExactly(stored);
        assertThat(handledLines(call.callId())).singleElement()
                .satisfies(line -> assertThat(line.path("trace_id").asText()).isEqualTo(stored));
    }

    @Test
    void aRedeliveryWithAnotherTraceJoinsTheCallsFirstTrace() throws Exception {
        String first = ai.phoneagent.logging.TraceParent.newTraceId();
        IncomingCallSpec call = IncomingCallSpec.random();
        deliverWithTraceparent(call, "msg_again", "00-" + first + "-00f067aa0ba902b7-01");
        String second = ai.phoneagent.logging.TraceParent.newTraceId();
        assertThat(body(deliverWithTraceparent(call, "msg_again", "00-" + second + "-00f067aa0ba902b7-01"))
                .get("outcome").asText()).isEqualTo("duplicate");
        assertThat(handledLines(call.callId())).hasSize(2)
                .allSatisfy(line -> assertThat(line.path("trace_id").asText()).isEqualTo(first));
        assertThat(aws.callStore().get(call.callId()).orElseThrow().traceId()).isEqualTo(first);
    }
}
