package ai.phoneagent.control.callevents;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.callevents.CallEventMessage;
import ai.phoneagent.callevents.CallEventType;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.config.Env;
import ai.phoneagent.control.CallSeeder;
import ai.phoneagent.control.ControlConfig;
import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.control.ControlService;
import ai.phoneagent.control.Events;
import ai.phoneagent.control.TestConfigs;
import ai.phoneagent.control.commands.AckWait;
import ai.phoneagent.json.Json;
import ai.phoneagent.testing.AwsFixture;
import ai.phoneagent.testing.EmbeddedAws;
import ai.phoneagent.testing.MutableClock;
import ai.phoneagent.testing.TestKeys;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /control/calls/{call_id}/events/replay} against DynamoDB Local and ElasticMQ. */
class ReplayRouteTest {
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    private AwsFixture fixture;
    private CallStore store;
    private CallSeeder seeder;
    private ControlQueues queues;
    private MutableClock clock;

    @BeforeEach
    void start() {
        fixture = AwsFixture.on(EmbeddedAws.shared());
        store = fixture.callStore();
        queues = new ControlQueues(fixture.sqs(), fixture.controlQueuePrefix());
        seeder = new CallSeeder(store, queues);
        clock = new MutableClock(START.plusSeconds(3600));
    }

    private ControlHandler handler(boolean withQueue) {
        Map<String, String> env = new HashMap<>(TestConfigs.baseEnv());
        env.putAll(fixture.env());
        if (withQueue) {
            env.put("CALL_EVENTS_QUEUE_URL", fixture.callEventsQueueUrl());
        }
        ControlConfig config = ControlConfig.fromEnv(Env.of(env));
        ControlService service = ControlService.create(config, fixture.clients(), clock);
        return new ControlHandler(service);
    }

    private JsonNode post(ControlHandler handler, String callId, int expectedStatus) throws Exception {
        var response = handler.handleRequest(Events.request("POST", "/control/calls/" + callId + "/events/replay")
                .bearer(TestKeys.CONTROL_API_TOKEN).build(), null);
        assertThat(response.getStatusCode()).isEqualTo(expectedStatus);
        return Json.parse(response.getBody());
    }

    private List<CallEventMessage> drain() {
        List<CallEventMessage> out = new ArrayList<>();
        while (true) {
            var messages = fixture.sqs().receiveMessage(b -> b.queueUrl(fixture.callEventsQueueUrl())
                    .maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
            if (messages.isEmpty()) {
                return out;
            }
            for (var m : messages) {
                out.add(CallEventMessage.parse(m.body()));
                fixture.sqs().deleteMessage(b -> b.queueUrl(fixture.callEventsQueueUrl()).receiptHandle(m.receiptHandle()));
            }
        }
    }

    @Test
    void replayEnqueuesAnEndedCallsEventsWithTheIdsTheyWereFirstSentUnder() throws Exception {
        String callId = seeder.ended(START, START.plusSeconds(90));
        var transfer = store.appendEvent(callId, "transfer", Json.object().put("ok", true).put("target", "sales"),
                START.plusSeconds(30));
        store.appendEvent(callId, "transfer", Json.object().put("ok", false).put("error", "twilio_error"),
                START.plusSeconds(40));

        JsonNode body = post(handler(true), callId, 202);

        List<String> expected = List.of(
                CallEventMessage.eventId(CallEventType.STARTED, callId, null),
                CallEventMessage.eventId(CallEventType.TRANSFERRED, callId, transfer.id()),
                CallEventMessage.eventId(CallEventType.ENDED, callId, null));
        assertThat(body.path("replayed").findValuesAsText("event_id")).containsExactlyElementsOf(expected);
        assertThat(body.path("replayed").findValuesAsText("type"))
                .containsExactly("call.started", "call.transferred", "call.ended");
        List<CallEventMessage> queued = drain();
        assertThat(queued).extracting(CallEventMessage::eventId).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(queued).allMatch(m -> m.callId().equals(callId) && m.enqueuedAt() == clock.millis());
    }

    @Test
    void anUnknownCallIs404AndNothingIsEnqueued() throws Exception {
        JsonNode body = post(handler(true), CallSeeder.newCallId(), 404);
        assertThat(body.at("/error/code").asText()).isEqualTo("call_not_found");
        assertThat(drain()).isEmpty();
    }

    @Test
    void withoutACallEventsQueueTheRouteAnswers503() throws Exception {
        String callId = seeder.ended(START, START.plusSeconds(90));
        JsonNode body = post(handler(false), callId, 503);
        assertThat(body.at("/error/code").asText()).isEqualTo("call_events_not_configured");
    }
}
