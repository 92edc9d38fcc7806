package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.longCall;
import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.WorkerHeartbeats;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.MutableClock;
import ai.phoneagent.worker.SessionWorker;
import ai.phoneagent.worker.ownership.Takeover;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Dependency faults: what a store outage must not cause (calls taken from live workers, calls left orphaned), and a
 * worker's stop that does not wait out its long polls.
 */
@WithTestBed
class WorkerFaultsTest {
    static final Duration STALE_AFTER = Duration.ofSeconds(8);
    TestBed bed;

    @Test
    void after_its_own_heartbeat_was_out_past_the_stale_limit_a_worker_judges_no_owner_gone_until_all_could_beat() {
        MutableClock clock = new MutableClock(Instant.now());
        WorkerHeartbeats beats = new WorkerHeartbeats(bed.store.client(), bed.store.tableName());
        String callId = bed.sim.newCall(longCall());
        bed.recordQueued(callId, TestBed.CALLER, TestBed.CALLED, null, null);
        beats.register("w-other", clock.instant());
        assertThat(bed.store.claimOwnership(callId, "w-other", clock.instant())).isPresent();
        Takeover takeover = new Takeover(bed.store, bed.queue, "w-self", STALE_AFTER, clock);
        beats.register("w-self", clock.instant());
        takeover.registered(clock.instant());
        Runnable ownBeat = () -> {
            assertThat(beats.beat("w-self", clock.instant())).isTrue();
            takeover.ownBeatLanded(clock.instant());
        };

        // the store is out for 20 s: nobody beats, this worker included
        clock.advance(Duration.ofSeconds(20));
        assertThat(judge(takeover, beats, clock).abstention()).as("own beat out: cannot judge")
                .contains(Takeover.Abstention.OWN_BEAT_STALE);
        ownBeat.run(); // the store is back
        assertThat(judge(takeover, beats, clock).abstention()).as("just back: the others have not beaten yet")
                .contains(Takeover.Abstention.SETTLING);
        for (int i = 0; i < 3; i++) { // beats every 2 s; w-other stays silent (it really is dead)
            clock.advance(Duration.ofSeconds(2));
            ownBeat.run();
            assertThat(judge(takeover, beats, clock).abstention()).contains(Takeover.Abstention.SETTLING);
        }
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ATTACHED);

        clock.advance(Duration.ofSeconds(2));
        ownBeat.run();
        Takeover.Judgement judgement = judge(takeover, beats, clock);
        assertThat(judgement.gone()).as("a stale limit after the store's return")
                .extracting(WorkerHeartbeats.Heartbeat::workerId).containsExactly("w-other");
        assertThat(takeover.freeCallsOf("w-other", "test")).isEqualTo(1);
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ORPHANED);
    }

    private static Takeover.Judgement judge(Takeover takeover, WorkerHeartbeats beats, MutableClock clock) {
        return takeover.judge(beats.all(), clock.instant(), STALE_AFTER);
    }

    @Test
    void a_call_freed_by_another_worker_while_hosted_here_is_stopped_and_taken_in_again_not_left_orphaned() {
        // no sweep and no heartbeat take-over in the test's time: only the intake can bring the call back
        SessionWorker worker = bed.startWorker(Map.of("SWEEP_INTERVAL_MS", "0", "LEASE_DURATION_MS", "60000",
                "LEASE_RENEW_MS", "30000"));
        String callId = bed.placeCall(longCall());
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));

        // another worker judged this one gone (say, right after a store outage) and freed the call
        assertThat(bed.store.orphanOwnedBy(callId, worker.workerId(), Instant.now())).isTrue();
        CallRecord orphaned = bed.call(callId);
        bed.queue.send(new CallMessage(callId, orphaned.webhookId(), 0, CallMessage.Reason.ORPHANED));

        Await.until("call re-attached", WAIT, () -> bed.sim.call(callId).attachCount() == 2
                && bed.call(callId).status() == CallStatus.ATTACHED);
        assertThat(bed.call(callId).owner()).isEqualTo(worker.workerId());
        Await.until("message consumed", WAIT, () -> bed.aws.queueDepth() == 0);
        assertThat(worker.activeCalls()).isEqualTo(1);
        assertThat(bed.logs()).contains("call hosted here was freed by another worker");
    }

    @Test
    void an_idle_worker_stops_within_seconds_though_its_long_polls_wait_twenty() throws InterruptedException {
        SessionWorker worker = bed.startWorker(Map.of("QUEUE_WAIT_SECONDS", "20", "CONTROL_QUEUE_WAIT_SECONDS", "20"));
        Await.value("nudge queue created", WAIT, () -> worker.nudgeQueueUrl().orElse(null));
        String callId = bed.sim.newCall(longCall());
        bed.recordQueued(callId, TestBed.CALLER, TestBed.CALLED, null, null);

        Thread stop = Thread.ofVirtual().start(worker::close);
        // both polls (calls queue, nudge queue) wait 20 s: only cut-off polls let the stop end this soon
        assertThat(stop.join(Duration.ofSeconds(4))).as("worker stopped").isTrue();

        // nothing received during the stop is kept: a call sent now is there for the next worker
        bed.queue.send(new CallMessage(callId, "wh_" + callId, 0, CallMessage.Reason.INCOMING));
        SessionWorker next = bed.startWorker(Map.of());
        Await.until("the next worker greets the call", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));
        assertThat(bed.call(callId).owner()).isEqualTo(next.workerId());
    }
}
