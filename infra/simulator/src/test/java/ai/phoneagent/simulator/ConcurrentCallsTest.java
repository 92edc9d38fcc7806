package ai.phoneagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ConcurrentCallsTest {
    private static final int CALLS = 60;

    @Test
    void sixtyCallsRunTheirOwnScenariosAtOnceWithoutCrossTalk() throws Exception {
        try (ConnectorSimulator simulator = ConnectorSimulator.start();
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                int n = i;
                String callId = simulator.newCall(Scenario.of("call-" + n,
                        Step.await(AwaitTarget.GREETING),
                        Step.caller("I am caller number " + n),
                        Step.functionCall("lookup", Map.of("caller", n)),
                        Step.await(AwaitTarget.FUNCTION_CALL_OUTPUT),
                        Step.await(AwaitTarget.RESPONSE_CREATE),
                        n % 2 == 0 ? Step.hangup(true) : Step.hangup(false)));
                outcomes.add(callers.submit(() -> converse(simulator, callId, n)));
            }

            for (int i = 0; i < CALLS; i++) {
                assertThat(outcomes.get(i).get()).isEqualTo("caller " + i + " ok");
            }
        }
    }

    private static String converse(ConnectorSimulator simulator, String callId, int n) {
        RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId);
        assertThat(client.awaitOpen()).isTrue();
        client.nextOfType("session.created");
        client.sendJson("{\"type\":\"response.create\",\"response\":{\"instructions\":\"Say exactly 'Hello " + n
                + "' now.\"}}");
        assertThat(client.nextOfType("response.output_audio_transcript.done").path("transcript").asText())
                .isEqualTo("Hello " + n);
        assertThat(client.nextOfType("conversation.item.input_audio_transcription.completed")
                .path("transcript").asText()).isEqualTo("I am caller number " + n);
        JsonNode call = client.nextOfType("response.function_call_arguments.done");
        assertThat(call.path("arguments").asText()).isEqualTo("{\"caller\":" + n + "}");
        client.untilType("response.done");
        client.sendJson("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"function_call_output\","
                + "\"call_id\":\"" + call.path("call_id").asText() + "\",\"output\":\"found " + n + "\"}}");
        client.sendJson("{\"type\":\"response.create\"}");
        assertThat(client.nextOfType("response.output_audio_transcript.done").path("transcript").asText())
                .isEqualTo("Tool result: found " + n);
        RealtimeTestClient.Ending ending = client.awaitEnd();
        assertThat(ending.closeFrame()).isEqualTo(n % 2 == 0);
        assertThat(simulator.awaitCall(callId, CallSnapshot::ended, RealtimeTestClient.WAIT).scenarioFailure()).isNull();
        return "caller " + n + " ok";
    }
}
