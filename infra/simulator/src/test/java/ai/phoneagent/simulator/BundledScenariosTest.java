package ai.phoneagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.scenario.Scenario;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Plays the bundled scenarios the way the session worker would. */
class BundledScenariosTest {
    private final ConnectorSimulator simulator = ConnectorSimulator.start();

    @AfterEach
    void stop() {
        simulator.close();
    }

    private static String toolCycle(RealtimeTestClient client, String expectedTool) {
        JsonNode call = client.nextOfType("response.function_call_arguments.done");
        assertThat(call.path("name").asText()).isEqualTo(expectedTool);
        client.untilType("response.done");
        var output = Json.object().put("type", "conversation.item.create");
        output.putObject("item").put("type", "function_call_output")
                .put("call_id", call.path("call_id").asText()).put("output", "{\"ok\":true}");
        client.send(output);
        client.sendJson("{\"type\":\"response.create\"}");
        return client.nextOfType("response.output_audio_transcript.done").path("transcript").asText();
    }

    @Test
    void theDemoScenarioEndsInATransferToAHuman() {
        String callId = simulator.newCall(Scenario.load("demo"));
        try (RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId)) {
            client.nextOfType("session.created");
            client.sendJson("{\"type\":\"response.create\",\"response\":{\"instructions\":\"Say exactly 'Hello!' now.\"}}");

            assertThat(client.nextOfType("conversation.item.input_audio_transcription.completed")
                    .path("transcript").asText()).contains("order");
            assertThat(client.nextOfType("response.output_audio_transcript.done").path("transcript").asText())
                    .contains("order number");
            assertThat(toolCycle(client, "transfer_to_human")).isEqualTo("Tool result: {\"ok\":true}");
            assertThat(simulator.awaitCall(callId, CallSnapshot::scenarioFinished, RealtimeTestClient.WAIT)
                    .scenarioFailure()).isNull();
        }
    }

    @Test
    void theDefaultScenarioEndsWithEndCall() {
        String callId = simulator.newCall();
        try (RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId)) {
            client.nextOfType("session.created");
            client.sendJson("{\"type\":\"response.create\",\"response\":{\"instructions\":\"Say exactly 'Hi.' now.\"}}");

            assertThat(toolCycle(client, "end_call")).startsWith("Tool result:");
            assertThat(simulator.awaitCall(callId, CallSnapshot::scenarioFinished, RealtimeTestClient.WAIT).scenario())
                    .isEqualTo("default");
        }
    }
}
