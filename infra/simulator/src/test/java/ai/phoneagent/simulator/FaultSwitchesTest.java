package ai.phoneagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator's fault switches, through its admin API and its command line, as the chaos suite uses them. */
class FaultSwitchesTest {
    private static final MediaType JSON = MediaType.get("application/json");
    private final ConnectorSimulator simulator = ConnectorSimulator.start();

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void acceptAnswersTheConfiguredStatusForEveryCallUntilTheFaultsAreCleared() throws IOException {
        assertThat(admin("PUT", "/_simulator/faults", "{\"accept_status\": 500}").code()).isEqualTo(200);

        assertThat(accept(simulator.newCall()).code()).isEqualTo(500);
        assertThat(accept(simulator.newCall()).code()).isEqualTo(500);

        assertThat(admin("DELETE", "/_simulator/faults", "").code()).isEqualTo(200);
        String callId = simulator.newCall();
        assertThat(accept(callId).code()).isEqualTo(200);
        assertThat(simulator.call(callId).accepted()).isTrue();
    }

    @Test
    void acceptDelayHoldsTheAnswerBackThenAccepts() throws IOException {
        admin("PUT", "/_simulator/faults", "{\"accept_delay_ms\": 400}");
        String callId = simulator.newCall();

        long start = System.nanoTime();
        int status = accept(callId).code();
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(status).isEqualTo(200);
        assertThat(tookMs).isGreaterThanOrEqualTo(400);
        assertThat(simulator.call(callId).accepted()).isTrue();
    }

    @Test
    void attachIsRefusedWithTheConfiguredStatusUntilCleared() throws IOException {
        for (int status : new int[] {401, 404, 503}) {
            admin("PUT", "/_simulator/faults", "{\"attach_status\": " + status + "}");
            RealtimeTestClient refused = RealtimeTestClient.attach(simulator, simulator.newCall(Scenario.quiet()));
            assertThat(refused.awaitOpen()).isFalse();
            assertThat(refused.awaitEnd().httpStatus()).isEqualTo(status);
        }
        admin("DELETE", "/_simulator/faults", "");
        try (RealtimeTestClient client = RealtimeTestClient.attach(simulator, simulator.newCall(Scenario.quiet()))) {
            assertThat(client.awaitOpen()).isTrue();
        }
    }

    @Test
    void aDropWithoutCloseFrameLeavesTheCallLiveForAReattach() throws IOException {
        String callId = simulator.newCall(Scenario.quiet());
        RealtimeTestClient first = attached(callId);

        assertThat(admin("POST", "/_simulator/calls/" + callId + "/drop?close_frame=false", "").code()).isEqualTo(200);

        RealtimeTestClient.Ending ending = first.awaitEnd();
        assertThat(ending.failure()).as("no close frame: the client sees a broken connection").isNotNull();
        assertThat(simulator.call(callId).ended()).isFalse();
        try (RealtimeTestClient again = RealtimeTestClient.attach(simulator, callId)) {
            assertThat(again.awaitOpen()).isTrue();
            assertThat(again.next().path("type").asText()).isEqualTo("session.created");
        }
    }

    @Test
    void aDropWithCloseFrameClosesCleanlyAndTheCallGoesOn() throws IOException {
        String callId = simulator.newCall(Scenario.quiet());
        RealtimeTestClient client = attached(callId);

        admin("POST", "/_simulator/drop?close_frame=true", "");

        RealtimeTestClient.Ending ending = client.awaitEnd();
        assertThat(ending.failure()).isNull();
        assertThat(ending.code()).isEqualTo(AttachedSocket.CALL_ENDED);
        assertThat(simulator.call(callId).ended()).isFalse();
    }

    @Test
    void aStalledSocketStaysOpenButAnswersNothingUntilResumed() throws IOException {
        String callId = simulator.newCall(Scenario.quiet());
        try (RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId)) {
            assertThat(client.awaitOpen()).isTrue();
            assertThat(client.next().path("type").asText()).isEqualTo("session.created");

            admin("POST", "/_simulator/calls/" + callId + "/stall", "");
            client.sendJson("{\"type\": \"session.update\", \"session\": {\"type\": \"realtime\"}}");

            assertThat(client.next(Duration.ofMillis(800))).as("a stalled socket answers nothing").isNull();
            assertThat(simulator.call(callId).connected()).as("and is not closed").isTrue();
            assertThat(simulator.call(callId).stalled()).isTrue();

            admin("POST", "/_simulator/calls/" + callId + "/resume", "");
            assertThat(client.next().path("type").asText()).isEqualTo("session.updated");
        }
    }

    @Test
    void callsListShowsTranscriptLinesSentAndWhetherTheCallerWasGreeted() throws Exception {
        String callId = simulator.newCall(Scenario.of("talk", Step.await(AwaitTarget.GREETING), Step.caller("Hello there.")));
        try (RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId)) {
            assertThat(client.awaitOpen()).isTrue();
            client.sendJson("{\"type\": \"response.create\", \"response\": {\"instructions\": \"Say exactly 'Hi!' now.\"}}");
            simulator.awaitCall(callId, CallSnapshot::scenarioFinished, RealtimeTestClient.WAIT);

            JsonNode calls;
            try (Response response = admin("GET", "/_simulator/calls", null)) {
                calls = Json.parse(response.body().string()).path("calls");
            }
            JsonNode call = null;
            for (JsonNode c : calls) {
                if (c.path("callId").asText().equals(callId)) {
                    call = c;
                }
            }
            assertThat(call).isNotNull();
            assertThat(call.path("greeted").asBoolean()).isTrue();
            assertThat(call.path("transcriptLines").asInt()).as("the greeting and the caller's line").isEqualTo(2);
        }
    }

    @Test
    void theCommandLineSetsAndClearsFaultsOfARunningSimulator() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Map<String, String> env = Map.of();

        int code = SimulatorMain.run(new String[] {"fault", "--url", simulator.baseUrl().toString(), "--attach-status", "401",
                "--accept-status", "503"}, env, print, print);

        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(simulator.attachFault()).isEqualTo(401);
        assertThat(accept(simulator.newCall()).code()).isEqualTo(503);

        assertThat(SimulatorMain.run(new String[] {"fault", "--url", simulator.baseUrl().toString(), "--clear"}, env, print, print))
                .isZero();
        assertThat(simulator.attachFault()).isZero();
        assertThat(accept(simulator.newCall()).code()).isEqualTo(200);
    }

    @Test
    void theCommandLineDropsACallsSockets() throws Exception {
        String callId = simulator.newCall(Scenario.quiet());
        RealtimeTestClient client = attached(callId);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        int code = SimulatorMain.run(new String[] {"drop", "--url", simulator.baseUrl().toString(), "--call-id", callId},
                Map.of(), quiet, quiet);

        assertThat(code).isZero();
        assertThat(client.awaitEnd().failure()).isNotNull();
        assertThat(simulator.call(callId).ended()).isFalse();
    }

    @Test
    void faultsOutsideTheirRangeAreRefusedWithAClearError() throws IOException {
        try (Response response = admin("PUT", "/_simulator/faults", "{\"attach_status\": 200}")) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(response.body().string()).contains("attach status");
        }
        assertThat(simulator.attachFault()).isZero();
    }

    /** A client attached to the call, once the simulator counts its socket. */
    private RealtimeTestClient attached(String callId) {
        RealtimeTestClient client = RealtimeTestClient.attach(simulator, callId);
        assertThat(client.awaitOpen()).isTrue();
        simulator.awaitCall(callId, CallSnapshot::connected, RealtimeTestClient.WAIT);
        return client;
    }

    private Response accept(String callId) throws IOException {
        return RealtimeTestClient.HTTP.newCall(new Request.Builder()
                .url(simulator.endpoints().callAction(callId, "accept").toString())
                .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
                .post(RequestBody.create("{\"type\":\"realtime\"}", JSON))
                .build()).execute();
    }

    private Response admin(String method, String path, String body) throws IOException {
        return RealtimeTestClient.HTTP.newCall(new Request.Builder()
                .url(simulator.baseUrl() + path)
                .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
                .method(method, body == null ? null : RequestBody.create(body, JSON))
                .build()).execute();
    }
}
