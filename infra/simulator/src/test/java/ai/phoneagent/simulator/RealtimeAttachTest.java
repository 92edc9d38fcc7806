package ai.phoneagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.simulator.scenario.Scenario;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RealtimeAttachTest {
    private final ConnectorSimulator simulator = ConnectorSimulator.start();

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void attachSendsSessionCreatedReflectingTheAcceptedSession() throws IOException {
        String callId = simulator.newCall(Scenario.quiet());
        Request accept = new Request.Builder()
                .url(simulator.endpoints().callAction(callId, "accept").toString())
                .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
                .post(RequestBody.create("{\"type\":\"realtime\",\"instructions\":\"You are Ava.\","
                        + "\"audio\":{\"output\":{\"voice\":\"marin\"}}}", MediaType.get("application/json")))
                .build();
        try (Response response = RealtimeTestClient.HTTP.newCall(accept).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }

        try (RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId)) {
            assertThat(client.awaitOpen()).isTrue();
            var created = client.next();

            assertThat(created.path("type").asText()).isEqualTo("session.created");
            assertThat(created.path("event_id").asText()).startsWith("event_");
            assertThat(created.at("/session/type").asText()).isEqualTo("realtime");
            assertThat(created.at("/session/instructions").asText()).isEqualTo("You are Ava.");
            assertThat(created.at("/session/audio/output/voice").asText()).isEqualTo("marin");
            CallSnapshot state = simulator.awaitCall(callId, CallSnapshot::connected, RealtimeTestClient.WAIT);
            assertThat(state.attachCount()).isEqualTo(1);
            assertThat(state.scenario()).isEqualTo("quiet");
        }
        simulator.awaitCall(callId, s -> !s.connected(), RealtimeTestClient.WAIT);
    }

    @Test
    void anOpenAiBetaHeaderIsRefusedAndRecorded() {
        String callId = simulator.newCall(Scenario.quiet());

        RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId, SimulatorConfig.DEFAULT_API_KEY,
                Map.of("OpenAI-Beta", "realtime=v1"));

        assertThat(client.awaitOpen()).isFalse();
        assertThat(client.awaitEnd().httpStatus()).isEqualTo(400);
        ConnectorRequest attach = simulator.awaitRequest(callId, ConnectorRequest.Endpoint.ATTACH, RealtimeTestClient.WAIT);
        assertThat(attach.status()).isEqualTo(400);
        assertThat(attach.header("OpenAI-Beta")).isEqualTo("realtime=v1");
        assertThat(simulator.call(callId).attachCount()).isZero();
    }

    @Test
    void aWrongKeyIsRefusedWith401() {
        RealtimeTestClient client = RealtimeTestClient.attach(simulator, OpenAiIds.callId(), "sk-wrong", Map.of());

        assertThat(client.awaitOpen()).isFalse();
        assertThat(client.awaitEnd().httpStatus()).isEqualTo(401);
    }

    @Test
    void attachingToACallNeverAnnouncedIsAllowedByDefault() {
        String callId = OpenAiIds.callId();
        simulator.setDefaultScenario(Scenario.quiet());

        try (RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId)) {
            assertThat(client.awaitOpen()).isTrue();
            assertThat(client.next().path("type").asText()).isEqualTo("session.created");
        }
    }

    @Test
    void aStrictSimulatorRefusesAttachToAnUnknownCallWith404() {
        try (ConnectorSimulator strict = ConnectorSimulator.start(SimulatorConfig.builder()
                .allowUnknownCalls(false).defaultScenario(Scenario.quiet()).build())) {
            RealtimeTestClient client = RealtimeTestClient.attach(strict, OpenAiIds.callId());

            assertThat(client.awaitOpen()).isFalse();
            assertThat(client.awaitEnd().httpStatus()).isEqualTo(404);
        }
    }

    @Test
    void aRequestWithoutUpgradeIsRefused() throws IOException {
        Request plain = new Request.Builder()
                .url(simulator.baseUrl() + "/v1/realtime?call_id=" + OpenAiIds.callId())
                .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
                .build();
        try (Response response = RealtimeTestClient.HTTP.newCall(plain).execute()) {
            assertThat(response.code()).isEqualTo(426);
        }
    }

    @Test
    void aSecondAttachOfTheSameCallIsCountedAndGetsItsOwnSessionCreated() {
        String callId = simulator.newCall(Scenario.quiet());
        try (RealtimeTestClient first = RealtimeTestClient.attach(simulator, callId);
             RealtimeTestClient second = RealtimeTestClient.attach(simulator, callId)) {
            assertThat(first.awaitOpen()).isTrue();
            assertThat(second.awaitOpen()).isTrue();
            assertThat(first.next().path("type").asText()).isEqualTo("session.created");
            assertThat(second.next().path("type").asText()).isEqualTo("session.created");

            CallSnapshot state = simulator.awaitCall(callId, s -> s.openSockets() == 2, Duration.ofSeconds(5));
            assertThat(state.attachCount()).isEqualTo(2);
        }
    }
}
