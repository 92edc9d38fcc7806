package ai.phoneagent.simulator;

import static ai.phoneagent.simulator.RealtimeTestClient.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientEventResponderTest {
    private static final String GREETING = """
            {"type":"response.create","response":{"instructions":"Say exactly 'Hi, I'm Ava from Acme. How can I help?' now."}}""";
    private final ConnectorSimulator simulator = ConnectorSimulator.start();

    @AfterEach
    void stop() {
        simulator.close();
    }

    private RealtimeTestClient attach(String callId) {
        RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId);
        assertThat(client.awaitOpen()).isTrue();
        assertThat(client.next().path("type").asText()).isEqualTo("session.created");
        return client;
    }

    @Test
    void aGreetingIsSpokenWithTheQuotedTextVerbatim() {
        try (RealtimeTestClient client = attach(simulator.newCall(Scenario.quiet()))) {
            client.sendJson(GREETING);

            List<JsonNode> response = client.untilType("response.done");

            assertThat(types(response).getFirst()).isEqualTo("response.created");
            assertThat(response.stream()
                    .filter(e -> e.path("type").asText().equals("response.output_audio_transcript.done"))
                    .map(e -> e.path("transcript").asText()))
                    .containsExactly("Hi, I'm Ava from Acme. How can I help?");
        }
    }

    @Test
    void anAwaitStepHoldsTheScenarioUntilTheClientSendsThatEvent() {
        String callId = simulator.newCall(Scenario.of("sync", Step.await(AwaitTarget.SESSION_UPDATE),
                Step.caller("Now I speak")));
        try (RealtimeTestClient client = attach(callId)) {
            assertThat(client.next(Duration.ofMillis(300))).as("nothing before the client acts").isNull();

            client.sendJson("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"New.\"}}");

            JsonNode updated = client.next();
            assertThat(updated.path("type").asText()).isEqualTo("session.updated");
            assertThat(updated.at("/session/instructions").asText()).isEqualTo("New.");
            assertThat(client.next().path("type").asText()).isEqualTo("input_audio_buffer.speech_started");
        }
    }

    @Test
    void theGreetingIsFullySpokenBeforeTheScenarioContinues() {
        String callId = simulator.newCall(Scenario.of("greet", Step.await(AwaitTarget.GREETING), Step.caller("Hello")));
        try (RealtimeTestClient client = attach(callId)) {
            client.sendJson(GREETING);

            List<JsonNode> events = client.untilType("conversation.item.input_audio_transcription.completed");

            assertThat(types(events)).containsSubsequence("response.created", "response.done",
                    "input_audio_buffer.speech_started");
            assertThat(types(events).indexOf("response.done"))
                    .isLessThan(types(events).indexOf("input_audio_buffer.speech_started"));
        }
    }

    @Test
    void aToolResultIsSpokenAfterFunctionCallOutputAndResponseCreate() {
        String callId = simulator.newCall(Scenario.of("tool",
                Step.functionCall("lookup_order", Map.of("order", "42")),
                Step.await(AwaitTarget.FUNCTION_CALL_OUTPUT),
                Step.await(AwaitTarget.RESPONSE_CREATE),
                Step.caller("Thanks")));
        try (RealtimeTestClient client = attach(callId)) {
            String toolCallId = client.nextOfType("response.function_call_arguments.done").path("call_id").asText();
            client.untilType("response.done");

            client.sendJson("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"function_call_output\","
                    + "\"call_id\":\"" + toolCallId + "\",\"output\":\"{\\\"status\\\":\\\"shipped\\\"}\"}}");
            JsonNode created = client.next();
            client.sendJson("{\"type\":\"response.create\"}");
            List<JsonNode> reply = client.untilType("response.done");

            assertThat(created.path("type").asText()).isEqualTo("conversation.item.created");
            assertThat(created.at("/item/call_id").asText()).isEqualTo(toolCallId);
            assertThat(created.at("/item/id").asText()).startsWith("item_");
            assertThat(reply.stream()
                    .filter(e -> e.path("type").asText().equals("response.output_audio_transcript.done"))
                    .map(e -> e.path("transcript").asText()))
                    .containsExactly("Tool result: {\"status\":\"shipped\"}");
            assertThat(client.nextOfType("conversation.item.input_audio_transcription.completed")
                    .path("transcript").asText()).isEqualTo("Thanks");
        }
    }

    @Test
    void aSystemMessageCanBeAwaited() {
        String callId = simulator.newCall(Scenario.of("system", Step.await(AwaitTarget.SYSTEM_MESSAGE),
                Step.agent("Understood.")));
        try (RealtimeTestClient client = attach(callId)) {
            client.sendJson("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"system\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"Offer a discount.\"}]}}");

            assertThat(client.next().path("type").asText()).isEqualTo("conversation.item.created");
            assertThat(client.nextOfType("response.output_audio_transcript.done").path("transcript").asText())
                    .isEqualTo("Understood.");
        }
    }

    @Test
    void clientEventsAreRecordedInOrderAndCanBeAwaited() {
        String callId = simulator.newCall(Scenario.quiet());
        try (RealtimeTestClient client = attach(callId)) {
            client.sendJson("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\"}}");
            client.sendJson(GREETING);

            JsonNode greeting = simulator.awaitClientEvent(callId, "response.create", RealtimeTestClient.WAIT);

            assertThat(greeting.at("/response/instructions").asText()).startsWith("Say exactly");
            assertThat(simulator.clientEvents(callId)).extracting(e -> e.path("type").asText())
                    .containsExactly("session.update", "response.create");
            assertThat(simulator.call(callId).clientEventCount()).isEqualTo(2);
            assertThatThrownBy(() -> simulator.awaitClientEvent(callId, "response.cancel", Duration.ofMillis(50)))
                    .isInstanceOf(SimulatorTimeoutException.class)
                    .hasMessageContaining("session.update");
        }
    }

    @Test
    void badJsonGetsAnErrorEventLikeOpenAi() {
        String callId = simulator.newCall(Scenario.quiet());
        try (RealtimeTestClient client = attach(callId)) {
            client.send("{this is not json");

            JsonNode error = client.next();

            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.at("/error/type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.at("/error/code").asText()).isEqualTo("invalid_json");
            assertThat(simulator.invalidClientMessages(callId)).containsExactly("{this is not json");
        }
    }

    @Test
    void anUnknownClientEventTypeGetsAnError() {
        try (RealtimeTestClient client = attach(simulator.newCall(Scenario.quiet()))) {
            client.sendJson("{\"type\":\"response.make_it_so\",\"event_id\":\"evt_client_1\"}");

            JsonNode error = client.next();

            assertThat(error.at("/error/code").asText()).isEqualTo("invalid_value");
            assertThat(error.at("/error/event_id").asText()).isEqualTo("evt_client_1");
        }
    }

    @Test
    void aSessionUpdateWithoutSessionTypeIsRefused() {
        try (RealtimeTestClient client = attach(simulator.newCall(Scenario.quiet()))) {
            client.sendJson("{\"type\":\"session.update\",\"session\":{\"instructions\":\"x\"}}");

            JsonNode error = client.next();

            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.at("/error/param").asText()).isEqualTo("session.type");
        }
    }

    @Test
    void theVoiceCannotChangeOnceTheModelHasSpoken() {
        try (RealtimeTestClient client = attach(simulator.newCall(Scenario.of("spoke", Step.agent("Hello."))))) {
            client.untilType("response.done");

            client.sendJson("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
                    + "\"audio\":{\"output\":{\"voice\":\"verse\"}}}}");

            assertThat(client.next().at("/error/code").asText()).isEqualTo("cannot_update_voice");
        }
    }
}
