package ai.phoneagent.simulator;

import static ai.phoneagent.simulator.RealtimeTestClient.types;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScenarioStepsTest {
    private final ConnectorSimulator simulator = ConnectorSimulator.start();

    @AfterEach
    void stop() {
        simulator.close();
    }

    /** Attaches to a call running these steps, past session.created. */
    private RealtimeTestClient play(Step... steps) {
        String callId = simulator.newCall(Scenario.of("test", steps));
        RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId);
        assertThat(client.awaitOpen()).isTrue();
        assertThat(client.next().path("type").asText()).isEqualTo("session.created");
        return client;
    }

    @Test
    void everyEventHasATypeAndAUniqueEventId() {
        try (RealtimeTestClient client = play(Step.caller("Hi"), Step.agent("Hello"), Step.dtmf("1"))) {
            List<JsonNode> events = client.untilType("input_audio_buffer.dtmf_event_received");

            assertThat(events).allSatisfy(e -> {
                assertThat(e.path("type").isTextual()).isTrue();
                assertThat(e.path("event_id").asText()).startsWith("event_");
            });
            assertThat(events.stream().map(e -> e.path("event_id").asText()).distinct()).hasSameSizeAs(events);
        }
    }

    @Test
    void aCallerStepIsSpeechThenTranscriptionDeltasThenCompletedUnderOneFreshItemId() {
        try (RealtimeTestClient client = play(Step.caller("I would like to check my order status please"),
                Step.caller("Thanks"))) {
            List<JsonNode> first = client.untilType("conversation.item.input_audio_transcription.completed");
            List<JsonNode> second = client.untilType("conversation.item.input_audio_transcription.completed");

            assertThat(types(first).getFirst()).isEqualTo("input_audio_buffer.speech_started");
            assertThat(types(first)).contains("conversation.item.input_audio_transcription.delta");
            String itemId = first.getLast().path("item_id").asText();
            assertThat(first.stream().filter(e -> e.has("item_id")).map(e -> e.path("item_id").asText()))
                    .containsOnly(itemId);
            String deltas = first.stream()
                    .filter(e -> e.path("type").asText().endsWith("transcription.delta"))
                    .map(e -> e.path("delta").asText()).collect(Collectors.joining());
            assertThat(deltas).isEqualTo("I would like to check my order status please");
            assertThat(first.getLast().path("transcript").asText()).isEqualTo(deltas);
            assertThat(second.getLast().path("item_id").asText()).isNotEqualTo(itemId);
        }
    }

    @Test
    void anAgentStepIsAResponseWithGaTranscriptEventsSharingResponseAndItemIds() {
        try (RealtimeTestClient client = play(Step.agent("We open at nine tomorrow morning."))) {
            List<JsonNode> events = client.untilType("response.done");

            assertThat(types(events)).containsSubsequence("response.created",
                    "response.output_audio_transcript.delta", "response.output_audio_transcript.done", "response.done");
            assertThat(types(events)).noneMatch(t -> t.startsWith("response.audio_transcript"));
            JsonNode done = events.stream()
                    .filter(e -> e.path("type").asText().equals("response.output_audio_transcript.done"))
                    .findFirst().orElseThrow();
            String responseId = events.getFirst().at("/response/id").asText();
            assertThat(done.path("transcript").asText()).isEqualTo("We open at nine tomorrow morning.");
            assertThat(done.path("response_id").asText()).isEqualTo(responseId);
            assertThat(events.getLast().at("/response/id").asText()).isEqualTo(responseId);
            assertThat(events.getLast().at("/response/status").asText()).isEqualTo("completed");
            assertThat(events.stream().filter(e -> e.path("type").asText().endsWith("transcript.delta"))
                    .map(e -> e.path("item_id").asText())).containsOnly(done.path("item_id").asText());
        }
    }

    @Test
    void aBetaAgentStepUsesTheBetaTranscriptNames() {
        try (RealtimeTestClient client = play(Step.betaAgent("Hello from the past."))) {
            List<JsonNode> events = client.untilType("response.done");

            assertThat(types(events)).contains("response.audio_transcript.delta", "response.audio_transcript.done")
                    .doesNotContain("response.output_audio_transcript.delta");
        }
    }

    @Test
    void aFunctionCallIsAnnouncedThreeTimesWithOneCallId() throws Exception {
        try (RealtimeTestClient client = play(Step.functionCall("transfer_to_human",
                Map.of("reason", "caller asked")))) {
            List<JsonNode> events = client.untilType("response.done");

            JsonNode argumentsDone = events.stream()
                    .filter(e -> e.path("type").asText().equals("response.function_call_arguments.done"))
                    .findFirst().orElseThrow();
            JsonNode itemDone = events.stream()
                    .filter(e -> e.path("type").asText().equals("response.output_item.done"))
                    .findFirst().orElseThrow();
            JsonNode responseDone = events.getLast();
            String callId = argumentsDone.path("call_id").asText();

            assertThat(callId).startsWith("call_");
            assertThat(argumentsDone.path("name").asText()).isEqualTo("transfer_to_human");
            assertThat(Json.parse(argumentsDone.path("arguments").asText()).path("reason").asText())
                    .isEqualTo("caller asked");
            assertThat(itemDone.at("/item/type").asText()).isEqualTo("function_call");
            assertThat(itemDone.at("/item/call_id").asText()).isEqualTo(callId);
            assertThat(itemDone.at("/item/arguments").asText()).isEqualTo(argumentsDone.path("arguments").asText());
            assertThat(responseDone.at("/response/output/0/type").asText()).isEqualTo("function_call");
            assertThat(responseDone.at("/response/output/0/call_id").asText()).isEqualTo(callId);
            assertThat(responseDone.at("/response/output/0/name").asText()).isEqualTo("transfer_to_human");
        }
    }

    @Test
    void dtmfDigitsBecomeOneEventEach() {
        try (RealtimeTestClient client = play(Step.dtmf("5#"))) {
            JsonNode five = client.next();
            JsonNode hash = client.next();

            assertThat(five.path("type").asText()).isEqualTo("input_audio_buffer.dtmf_event_received");
            assertThat(five.path("event").asText()).isEqualTo("5");
            assertThat(five.path("received_at").isNumber()).isTrue();
            assertThat(hash.path("event").asText()).isEqualTo("#");
        }
    }

    @Test
    void errorTranscriptionFailureUnknownAndRawStepsEmitTheirEvents() {
        var raw = Json.object().put("type", "rate_limits.updated");
        raw.putArray("rate_limits");
        try (RealtimeTestClient client = play(
                Step.error("server_error", "overloaded", "Try again later."),
                Step.transcriptionFailed(),
                Step.unknown("conversation.item.some_future_event"),
                Step.raw(raw))) {
            JsonNode error = client.next();
            List<JsonNode> failed = client.untilType("conversation.item.input_audio_transcription.failed");
            JsonNode unknown = client.next();
            JsonNode rawOut = client.next();

            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.at("/error/type").asText()).isEqualTo("server_error");
            assertThat(error.at("/error/code").asText()).isEqualTo("overloaded");
            assertThat(error.at("/error/message").asText()).isEqualTo("Try again later.");
            assertThat(failed.getLast().at("/error/type").asText()).isEqualTo("transcription_error");
            assertThat(failed.getLast().path("item_id").asText()).isEqualTo(failed.getFirst().path("item_id").asText());
            assertThat(unknown.path("type").asText()).isEqualTo("conversation.item.some_future_event");
            assertThat(unknown.path("event_id").asText()).isNotEmpty();
            assertThat(rawOut.path("type").asText()).isEqualTo("rate_limits.updated");
            assertThat(rawOut.path("event_id").asText()).isNotEmpty();
        }
    }

    @Test
    void repeatLastSendsThePreviousStepsEventsAgainIdentically() {
        try (RealtimeTestClient client = play(
                Step.functionCall("end_call", Map.of()), Step.repeatLast(), Step.dtmf("9"))) {
            List<JsonNode> original = client.untilType("response.done");
            List<JsonNode> repeated = client.untilType("response.done");

            assertThat(repeated).isEqualTo(original);
            assertThat(client.next().path("event").asText()).isEqualTo("9");
        }
    }

    @Test
    void theScenarioFinishesAndItsStateIsVisible() {
        String callId = simulator.newCall(Scenario.of("short", Step.caller("Bye")));
        try (RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId)) {
            client.untilType("conversation.item.input_audio_transcription.completed");

            CallSnapshot state = simulator.awaitCall(callId, CallSnapshot::scenarioFinished, RealtimeTestClient.WAIT);

            assertThat(state.scenarioFailure()).isNull();
            assertThat(state.ended()).isFalse();
        }
    }

    @Test
    void anAwaitThatTimesOutFailsTheScenarioWithAReason() {
        String callId = simulator.newCall(Scenario.of("impatient",
                Step.await(AwaitTarget.GREETING, java.time.Duration.ofMillis(100)), Step.caller("never")));
        try (RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId)) {
            assertThat(client.awaitOpen()).isTrue();

            CallSnapshot state = simulator.awaitCall(callId, CallSnapshot::scenarioFinished, RealtimeTestClient.WAIT);

            assertThat(state.scenarioFailure()).contains("await greeting timed out");
        }
    }
}
