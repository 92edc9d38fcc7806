package ai.phoneagent.worker.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.openai.OpenAiEndpoints;
import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.SimulatorConfig;
import ai.phoneagent.simulator.scenario.Scenario;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.Test;

/** The socket link over real sockets (mockwebserver3): every attach gets a connection of its own. */
class RealtimeConnectorTest {
    @Test
    void anAttachAfterARefused404UpgradeGetsAFreshConnectionNotTheHalfClosedOne() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            // the refused upgrade leaves a keep-alive connection whose server side then closes (client: CLOSE-WAIT)
            server.enqueue(new MockResponse.Builder().code(404).body("{\"error\":{\"code\":\"not_found\"}}")
                    .onResponseEnd(new SocketEffect.CloseSocket(false, false, true)).build());
            server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() { }).build());
            server.start(0);
            OpenAiEndpoints endpoints = new OpenAiEndpoints(URI.create("http://127.0.0.1:" + server.getPort()));
            try (RealtimeConnector connector = new RealtimeConnector(endpoints, "sk-test",
                    Duration.ofSeconds(1))) {
                Recorder ended = new Recorder();
                connector.connect("rtc_ended", ended);
                assertThat(ended.disconnect.get(5, TimeUnit.SECONDS).callGone()).isTrue();

                Recorder next = new Recorder();
                connector.connect("rtc_next", next);
                assertThat(next.opened.get(5, TimeUnit.SECONDS)).isNotNull();

                RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
                RecordedRequest second = server.takeRequest(5, TimeUnit.SECONDS);
                assertThat(first.getUrl().queryParameter("call_id")).isEqualTo("rtc_ended");
                assertThat(second.getUrl().queryParameter("call_id")).isEqualTo("rtc_next");
                assertThat(second.getExchangeIndex()).as("first exchange on its connection").isZero();
                assertThat(second.getConnectionIndex()).isNotEqualTo(first.getConnectionIndex());
                next.opened.join().cancel();
            }
        }
    }

    @Test
    void aRefusedUpgradeReportsItsStatusAndTheErrorMessage() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().code(401).body("{}").build());
            server.start(0);
            OpenAiEndpoints endpoints = new OpenAiEndpoints(URI.create("http://127.0.0.1:" + server.getPort()));
            try (RealtimeConnector connector = new RealtimeConnector(endpoints, "sk-test",
                    Duration.ofSeconds(1))) {
                Recorder refused = new Recorder();
                connector.connect("rtc_x", refused);
                Disconnect d = refused.disconnect.get(5, TimeUnit.SECONDS);
                assertThat(d).isInstanceOfSatisfying(Disconnect.Failed.class, f -> {
                    assertThat(f.httpStatus()).isEqualTo(401);
                    assertThat(f.error()).contains("ProtocolException").doesNotContain("sk-test");
                });
            }
        }
    }

    @Test
    void aSocketWhosePeerStopsAnsweringIsDroppedAsSilentWhileAQuietButAnsweringOneStays() throws Exception {
        try (ConnectorSimulator sim = ConnectorSimulator.start(SimulatorConfig.builder()
                .defaultScenario(Scenario.quiet()).build())) {
            String quiet = sim.newCall();
            String frozen = sim.newCall();
            try (RealtimeConnector connector = new RealtimeConnector(sim.endpoints(),
                    sim.config().apiKey(), Duration.ofMillis(300))) {
                Recorder answering = new Recorder();
                Recorder stalled = new Recorder();
                connector.connect(quiet, answering);
                connector.connect(frozen, stalled);
                answering.opened.get(5, TimeUnit.SECONDS);
                stalled.opened.get(5, TimeUnit.SECONDS);

                sim.stall(frozen, true); // open, but nothing is read or answered any more: not even a ping

                Disconnect d = stalled.disconnect.get(10, TimeUnit.SECONDS);
                assertThat(d).isInstanceOfSatisfying(Disconnect.Failed.class, f -> assertThat(f.error())
                        .isEqualTo("silent socket: no pong within 150 ms of a ping after 300 ms without a frame"));
                assertThat(answering.disconnect).as("quiet for longer than the ping interval, but answering").isNotDone();
                sim.stall(frozen, false);
            }
        }
    }

    private static final class Recorder implements RealtimeListener {
        final CompletableFuture<RealtimeConnection> opened = new CompletableFuture<>();
        final CompletableFuture<Disconnect> disconnect = new CompletableFuture<>();

        @Override
        public void onOpen(RealtimeConnection connection) {
            opened.complete(connection);
        }

        @Override
        public void onMessage(String text) {
        }

        @Override
        public void onDisconnect(Disconnect d) {
            disconnect.complete(d);
        }
    }
}
