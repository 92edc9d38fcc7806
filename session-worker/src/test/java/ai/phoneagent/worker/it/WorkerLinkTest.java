package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.longCall;
import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.simulator.CallVerb;
import ai.phoneagent.simulator.CallsAnswer;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.testing.Await;
import ai.phoneagent.worker.SessionWorker;
import ai.phoneagent.worker.call.CallSession;
import ai.phoneagent.worker.call.CommandResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The call's socket link against the simulator over real sockets: drops, silence, refused attaches, racing closes. */
@WithTestBed
class WorkerLinkTest {
    TestBed bed;

    private static long greetings(TestBed bed, String callId) {
        return bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count();
    }

    @Test
    void reattachesAfterADropWithoutCloseFrameAndDoesNotGreetAgain() {
        bed.startWorker(Map.of());
        String callId = bed.placeCall(longCall());
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));

        bed.sim.dropConnections(callId, false); // the network drops the socket; the call goes on at OpenAI

        Await.until("re-attached", WAIT, () -> bed.sim.call(callId).attachCount() == 2 && bed.sim.call(callId).connected());
        assertThat(greetings(bed, callId)).isEqualTo(1);
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ATTACHED);
        Await.until("reattached event", WAIT, () -> bed.eventKinds(callId).contains("reattached"));
        bed.sim.hangup(callId, false);
        assertThat(bed.awaitStatus(callId, CallStatus.ENDED).endReason()).isEqualTo("caller_hangup");
    }

    @Test
    void reattachesAfterTheSocketGoesSilentWithoutFinOrRst() {
        try (SilentProxy proxy = SilentProxy.to(bed.sim.port())) {
            bed.startWorker(Map.of("OPENAI_BASE_URL", "http://127.0.0.1:" + proxy.port(), "WS_PING_INTERVAL_MS", "300"));
            String callId = bed.placeCall(longCall());
            Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));

            proxy.silenceOpenConnections();

            // the silence watch pings the quiet socket and drops it when no pong comes: noticed, then retried
            Await.until("re-attached through a new connection", WAIT, () -> bed.sim.call(callId).attachCount() == 2);
            assertThat(bed.logs()).contains("silent socket: no pong within 150 ms of a ping after 300 ms without a frame");
            assertThat(greetings(bed, callId)).isEqualTo(1);
            assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ATTACHED);
        }
    }

    @Test
    void anUnauthorizedAttachReleasesTheCallWithoutEndingItAndTheWorkerTurnsUnhealthy() throws Exception {
        SessionWorker badKey = bed.startWorker(Map.of("OPENAI_API_KEY", "sk-wrong-rotated-key-000000000000"));
        String callId = bed.placeCall(longCall());

        Await.until("released", WAIT, () -> bed.call(callId).status() == CallStatus.ORPHANED);
        CallRecord released = bed.call(callId);
        assertThat(released.endReason()).isNull();
        assertThat(released.owner()).isNull();
        assertThat(bed.sim.call(callId).ended()).as("still live at OpenAI").isFalse();
        Await.until("unhealthy", WAIT, () -> badKey.unhealthyReason().isPresent());
        assertThat(badKey.unhealthyReason()).contains("attach_unauthorized");
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + badKey.healthPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"status\":\"unhealthy\"").contains("attach_unauthorized")
                .doesNotContain("sk-wrong");
        assertThat(bed.logs()).doesNotContain("sk-wrong-rotated-key");

        // a worker with the right key takes the call and, since nobody greeted the caller yet, greets
        SessionWorker good = bed.startWorker(Map.of());
        Await.until("taken by the healthy worker", WAIT, () -> good.workerId().equals(bed.call(callId).owner())
                && bed.turnLines(callId).contains("caller: Hello"));
        assertThat(greetings(bed, callId)).isEqualTo(1);
        assertThat(badKey.activeCalls()).isZero();
    }

    @Test
    void aCloseFrameRacingAheadOfTheHangupAnswerEndsTheCallWithoutAReattach() {
        SessionWorker worker = bed.startWorker(Map.of());
        String callId = bed.placeCall(longCall());
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));
        bed.sim.answer(callId, CallVerb.HANGUP, CallsAnswer.slow(Duration.ofMillis(1500), CallsAnswer.ok()));
        CallSession session = worker.session(callId).orElseThrow();

        CompletableFuture<CommandResult> hangup = CompletableFuture.supplyAsync(() -> session.hangup("operator_hangup"));
        Await.until("hang-up asked", WAIT, () -> bed.logs().lines()
                .anyMatch(l -> l.contains("asking OpenAI to hang up") && l.contains(callId)));
        bed.sim.dropConnections(callId, true); // the close frame arrives before OpenAI's answer

        assertThat(hangup.join().ok()).isTrue();
        CallRecord ended = bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("operator_hangup");
        assertThat(bed.sim.call(callId).attachCount()).as("no useless re-attach").isEqualTo(1);
        assertThat(bed.sim.requests(callId).stream().filter(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP).count())
                .isEqualTo(1);
    }

    @Test
    void aCallThatCannotBeReattachedWithinTheWindowIsReleasedNotEnded() {
        try (SilentProxy proxy = SilentProxy.to(bed.sim.port())) {
            SessionWorker worker = bed.startWorker(Map.of("OPENAI_BASE_URL", "http://127.0.0.1:" + proxy.port(),
                    "REATTACH_WINDOW_MS", "1500", "ATTACH_TIMEOUT_MS", "300", "WS_PING_INTERVAL_MS", "300"));
            String callId = bed.placeCall(longCall());
            Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));

            proxy.close(); // nothing answers any more: every re-attach fails

            // released for another worker (this one takes it back from the queue and tries again: still no ending)
            Await.until("released", WAIT, () -> bed.logs().lines().anyMatch(l -> l.contains("\"msg\":\"call handed off\"")
                    && l.contains(callId) && l.contains("reattach_window_exhausted")));
            assertThat(bed.call(callId).status()).isNotEqualTo(CallStatus.ENDED);
            assertThat(bed.call(callId).endReason()).isNull();
            assertThat(bed.sim.call(callId).ended()).as("still live at OpenAI").isFalse();
            assertThat(worker.unhealthyReason()).as("one call is not a pattern").isEmpty();
        }
    }
}
