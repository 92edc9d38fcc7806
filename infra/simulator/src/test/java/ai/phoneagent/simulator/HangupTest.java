package ai.phoneagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import java.io.IOException;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HangupTest {
    private final ConnectorSimulator simulator = ConnectorSimulator.start();

    @AfterEach
    void stop() {
        simulator.close();
    }

    private RealtimeTestClient attach(String callId) {
        RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId);
        assertThat(client.awaitOpen()).isTrue();
        return client;
    }

    private void assertReattachRefusedWith404(String callId) {
        RealtimeTestClient again = RealtimeTestClient.attach(simulator, callId);
        assertThat(again.awaitOpen()).isFalse();
        assertThat(again.awaitEnd().httpStatus()).isEqualTo(404);
    }

    @Test
    void aHangupStepWithACloseFrameClosesTheSocketCleanlyAndEndsTheCall() {
        String callId = simulator.newCall(Scenario.of("bye", Step.caller("Bye"), Step.hangup(true)));
        RealtimeTestClient client = attach(callId);

        RealtimeTestClient.Ending ending = client.awaitEnd();

        assertThat(ending.closeFrame()).isTrue();
        assertThat(ending.code()).isEqualTo(1000);
        assertThat(simulator.call(callId).ended()).isTrue();
        assertReattachRefusedWith404(callId);
    }

    @Test
    void aHangupStepWithoutACloseFrameDropsTheSocketAbruptly() {
        String callId = simulator.newCall(Scenario.of("gone", Step.caller("Bye"), Step.hangup(false)));
        RealtimeTestClient client = attach(callId);

        RealtimeTestClient.Ending ending = client.awaitEnd();

        assertThat(ending.closeFrame()).isFalse();
        assertThat(ending.failure()).isInstanceOf(IOException.class);
        assertThat(simulator.awaitCall(callId, s -> !s.connected(), RealtimeTestClient.WAIT).ended()).isTrue();
        assertReattachRefusedWith404(callId);
    }

    @Test
    void aHangupThroughTheCallsApiClosesTheSocketAndLaterAttachesGet404() throws IOException {
        String callId = simulator.newCall(Scenario.quiet());
        RealtimeTestClient client = attach(callId);
        Request hangup = new Request.Builder()
                .url(simulator.endpoints().callAction(callId, "hangup").toString())
                .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
                .post(RequestBody.create(new byte[0]))
                .build();

        try (Response response = RealtimeTestClient.HTTP.newCall(hangup).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }

        assertThat(client.awaitEnd().closeFrame()).isTrue();
        assertReattachRefusedWith404(callId);
    }

    @Test
    void theTestCanHangUpForTheCaller() {
        String callId = simulator.newCall(Scenario.quiet());
        RealtimeTestClient client = attach(callId);

        simulator.hangup(callId, false);

        assertThat(client.awaitEnd().closeFrame()).isFalse();
        assertThat(simulator.call(callId).endReason()).isEqualTo("caller hung up");
    }

    @Test
    void aDroppedSocketCanBeReattachedAndTheScenarioGoesOn() {
        String callId = simulator.newCall(Scenario.of("flaky", Step.caller("First"), Step.drop(false),
                Step.caller("Second"), Step.await(AwaitTarget.RESPONSE_CREATE), Step.hangup(true)));
        RealtimeTestClient first = attach(callId);
        assertThat(first.nextOfType("conversation.item.input_audio_transcription.completed")
                .path("transcript").asText()).isEqualTo("First");
        assertThat(first.awaitEnd().closeFrame()).isFalse();
        assertThat(simulator.call(callId).ended()).isFalse();

        RealtimeTestClient second = attach(callId);

        assertThat(second.next().path("type").asText()).isEqualTo("session.created");
        assertThat(second.nextOfType("conversation.item.input_audio_transcription.completed")
                .path("transcript").asText()).isEqualTo("Second");
        second.sendJson("{\"type\":\"response.create\"}");
        second.untilType("response.done");
        assertThat(second.awaitEnd().code()).isEqualTo(1000);
        assertThat(simulator.call(callId).attachCount()).isEqualTo(2);
    }
}
