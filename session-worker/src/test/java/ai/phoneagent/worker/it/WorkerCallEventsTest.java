package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.callevents.CallEventMessage;
import ai.phoneagent.callevents.CallEventReplay;
import ai.phoneagent.callevents.CallEventsQueue;
import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.testing.Await;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Call-event webhooks over real sockets: the worker on ElasticMQ and DynamoDB Local, the simulator as OpenAI, and a
 * real HTTP receiver that verifies each signature with its own Standard Webhooks implementation.
 */
@WithTestBed
class WorkerCallEventsTest {
    private static final Duration LONG_WAIT = Duration.ofSeconds(30);

    TestBed bed;
    String secret;
    CallEventReceiver receiver;

    @BeforeEach
    void startBed() {
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        secret = "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    @AfterEach
    void stopBed() {
        bed.close();
        if (receiver != null) {
            receiver.close();
        }
    }

    private void startWorker(String url) {
        startWorker(url, Map.of());
    }

    private void startWorker(String url, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("CALL_EVENTS_URL", url);
        env.put("CALL_EVENTS_SECRET", secret);
        env.put("CALL_EVENTS_QUEUE_URL", bed.aws.callEventsQueueUrl());
        env.put("CALL_EVENTS_RETRY_BASE_MS", "1000");
        env.put("CALL_EVENTS_RETRY_MAX_MS", "1000");
        env.put("CALL_EVENTS_TIMEOUT_MS", "2000");
        env.put("CALL_EVENTS_QUEUE_WAIT_SECONDS", "1");
        bed.startWorker(env);
    }

    private static Scenario conversation() {
        return Scenario.of("conversation",
                Step.await(AwaitTarget.GREETING),
                Step.caller("Hi, when are you open?"),
                Step.agent("Nine to five on weekdays."),
                Step.hangup(true));
    }

    private List<JsonNode> recorded(String callId, String kind) {
        return bed.events(callId).stream().filter(e -> e.kind().equals(kind)).map(CallEvent::details).toList();
    }

    private int callEventsQueueDepth() {
        var attributes = bed.aws.sqs().getQueueAttributes(b -> b.queueUrl(bed.aws.callEventsQueueUrl()).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void independentVerifierAcceptsTheStandardWebhooksKnownAnswerAndRejectsATamperedBody() throws Exception {
        JsonNode vector;
        try (InputStream in = getClass().getResourceAsStream("/standard-webhooks-vector.json")) {
            vector = Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        String id = vector.path("webhook-id").asText();
        String ts = vector.path("webhook-timestamp").asText();
        byte[] payload = vector.path("payload").asText().getBytes(StandardCharsets.UTF_8);
        long at = Long.parseLong(ts);
        assertThat(CallEventReceiver.verify(vector.path("secret").asText(), id, ts,
                vector.path("webhook-signature").asText(), payload, at, 300)).isTrue();
        assertThat(CallEventReceiver.verify(vector.path("secret").asText(), id, ts,
                vector.path("webhook-signature").asText(), "{\"test\": 1}".getBytes(StandardCharsets.UTF_8), at, 300)).isFalse();
        assertThat(CallEventReceiver.verify(vector.path("secret").asText(), id, ts,
                vector.path("webhook-signature").asText(), payload, at + 301, 300)).isFalse();
    }

    @Test
    void startedAndEndedReachTheReceiverSignedAsStandardWebhooksWithTheWholeCall() {
        receiver = CallEventReceiver.start(secret);
        startWorker(receiver.url());
        String callId = bed.placeCall(conversation());

        Await.until("call.started and call.ended accepted", WAIT, () ->
                receiver.accepted(callId, "call.started").size() == 1 && receiver.accepted(callId, "call.ended").size() == 1);

        assertThat(receiver.deliveries(callId)).allMatch(CallEventReceiver.Delivery::verified);
        JsonNode started = receiver.accepted(callId, "call.started").getFirst().body();
        assertThat(started.path("object").asText()).isEqualTo("event");
        assertThat(started.path("id").asText()).isEqualTo(receiver.accepted(callId, "call.started").getFirst().webhookId());
        assertThat(started.path("data").path("direction").asText()).isEqualTo("inbound");
        JsonNode ended = receiver.accepted(callId, "call.ended").getFirst().body().path("data");
        assertThat(ended.path("end_reason").asText()).isEqualTo("caller_hangup");
        assertThat(ended.path("transcript").findValuesAsText("text"))
                .containsExactly("Hello, thanks for calling Acme.", "Hi, when are you open?", "Nine to five on weekdays.");
        assertThat(ended.path("durations_ms").path("talk").asLong()).isNotNegative();
        assertThat(ended.path("transfer").isNull()).isTrue();
        assertThat(ended.path("events").isArray()).isTrue();
        Await.until("both deliveries recorded on the call", WAIT, () ->
                recorded(callId, "call_event_delivered").size() == 2);
        assertThat(recorded(callId, "call_event_delivered")).allMatch(d -> d.path("status").asInt() == 200);
        assertThat(bed.logs()).doesNotContain(secret.substring("whsec_".length()));
    }

    @Test
    void aReceiverThatIsDownGetsEachEventLaterExactlyOnce() {
        receiver = CallEventReceiver.start(secret);
        receiver.answer(503);
        startWorker(receiver.url());
        String callId = bed.placeCall(conversation());
        bed.awaitStatus(callId, CallStatus.ENDED);
        Await.until("each event refused twice while the receiver is down", LONG_WAIT, () ->
                receiver.deliveries(callId).stream().filter(d -> d.answered() == 503)
                        .collect(Collectors.groupingBy(CallEventReceiver.Delivery::type, Collectors.counting()))
                        .entrySet().stream().filter(e -> e.getValue() >= 2).count() == 2);

        receiver.answer(200);

        Await.until("both events arrive once the receiver is up", LONG_WAIT, () ->
                receiver.accepted(callId, "call.started").size() == 1 && receiver.accepted(callId, "call.ended").size() == 1);
        Await.until("the queue is empty", WAIT, () -> callEventsQueueDepth() == 0);
        Map<String, Long> byId = receiver.deliveries(callId).stream().filter(d -> d.answered() == 200)
                .collect(Collectors.groupingBy(CallEventReceiver.Delivery::webhookId, Collectors.counting()));
        assertThat(byId).hasSize(2).allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
        assertThat(recorded(callId, "call_event_delivered")).allMatch(d -> d.path("attempts").asInt() >= 3);
    }

    @Test
    void a410StopsRetriesAndIsRecordedOnTheCall() {
        receiver = CallEventReceiver.start(secret);
        receiver.answer(410);
        startWorker(receiver.url());
        String callId = bed.placeCall(conversation());

        Await.until("both failures recorded", WAIT, () -> recorded(callId, "call_event_delivery_failed").size() == 2);
        assertThat(recorded(callId, "call_event_delivery_failed"))
                .allMatch(d -> d.path("status").asInt() == 410 && d.path("why").asText().equals("rejected"));
        Await.until("the queue is empty", WAIT, () -> callEventsQueueDepth() == 0);
        Map<String, Long> byType = receiver.deliveries(callId).stream()
                .collect(Collectors.groupingBy(CallEventReceiver.Delivery::type, Collectors.counting()));
        assertThat(byType).containsExactlyInAnyOrderEntriesOf(Map.of("call.started", 1L, "call.ended", 1L));
    }

    @Test
    void replayResendsTheCallsEventsWithTheirOriginalWebhookIds() {
        receiver = CallEventReceiver.start(secret);
        startWorker(receiver.url());
        String callId = bed.placeCall(conversation());
        Await.until("first delivery", WAIT, () ->
                receiver.accepted(callId, "call.started").size() == 1 && receiver.accepted(callId, "call.ended").size() == 1);
        Map<String, String> firstIds = receiver.deliveries(callId).stream()
                .collect(Collectors.toMap(CallEventReceiver.Delivery::type, CallEventReceiver.Delivery::webhookId));

        List<CallEventMessage> replayed = new CallEventReplay(bed.store,
                new CallEventsQueue(bed.aws.sqs(), bed.aws.callEventsQueueUrl())).replay(callId, System.currentTimeMillis())
                .orElseThrow();

        assertThat(replayed).extracting(m -> m.type().wireName()).containsExactly("call.started", "call.ended");
        Await.until("the replay arrives", WAIT, () ->
                receiver.accepted(callId, "call.started").size() == 2 && receiver.accepted(callId, "call.ended").size() == 2);
        Map<String, List<String>> idsByType = receiver.deliveries(callId).stream().collect(Collectors.groupingBy(
                CallEventReceiver.Delivery::type, Collectors.mapping(CallEventReceiver.Delivery::webhookId, Collectors.toList())));
        assertThat(idsByType.get("call.started")).containsOnly(firstIds.get("call.started"));
        assertThat(idsByType.get("call.ended")).containsOnly(firstIds.get("call.ended"));
        assertThat(replayed.stream().collect(Collectors.toMap(m -> m.type().wireName(), CallEventMessage::eventId)))
                .isEqualTo(firstIds);
    }

    @Test
    void aColdTransferIsPostedAsCallTransferredAndTheEndCarriesItsOutcome() {
        receiver = CallEventReceiver.start(secret);
        startWorker(receiver.url(), Map.of("TRANSFER_MODE", "cold", "TRANSFER_TARGETS", "support=sip:support@pbx.example.com"));
        String callId = bed.placeCall(Scenario.of("transfer",
                Step.await(AwaitTarget.GREETING),
                Step.caller("A person please."),
                Step.functionCall("transfer_to_human", Map.of("target", "support", "reason", "billing")),
                Step.await(AwaitTarget.FUNCTION_CALL_OUTPUT),
                Step.hangup(true)));

        Await.until("call.transferred and call.ended accepted", WAIT, () ->
                receiver.accepted(callId, "call.transferred").size() == 1 && receiver.accepted(callId, "call.ended").size() == 1);
        JsonNode transferred = receiver.accepted(callId, "call.transferred").getFirst().body().path("data").path("transfer");
        assertThat(transferred.path("target").asText()).isEqualTo("support");
        assertThat(transferred.path("mode").asText()).isEqualTo("cold");
        assertThat(transferred.path("ok").asBoolean()).isTrue();
        JsonNode ended = receiver.accepted(callId, "call.ended").getFirst().body().path("data");
        assertThat(ended.path("transfer").path("event_id").asText()).isEqualTo(transferred.path("event_id").asText());
    }
}
