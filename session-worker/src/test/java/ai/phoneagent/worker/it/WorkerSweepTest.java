package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.longCall;
import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.call.WorkerHeartbeats;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.MutableClock;
import ai.phoneagent.worker.SessionWorker;
import ai.phoneagent.worker.WorkerConfig;
import ai.phoneagent.worker.control.Sweeper;
import ai.phoneagent.worker.ownership.Takeover;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worker's sweep: stale control queues, calls whose owner died, calls left orphaned. */
@WithTestBed
class WorkerSweepTest {
    static final Duration LEASE = Duration.ofSeconds(30);
    static final Duration ORPHAN_DEADLINE = Duration.ofMinutes(5);

    TestBed bed;
    ControlQueues queues;

    @BeforeEach
    void startBed() {
        queues = new ControlQueues(bed.aws.sqs(), bed.aws.controlQueuePrefix());
    }

    /** The sweep of a worker "sweeper" that has been beating, on time, for a stale limit up to the clock's now. */
    private Sweeper sweeper(MutableClock clock) {
        Takeover takeover = new Takeover(bed.store, bed.queue, "sweeper", LEASE, clock);
        beats().register("sweeper", clock.instant());
        takeover.registered(clock.instant().minus(LEASE));
        takeover.ownBeatLanded(clock.instant());
        return new Sweeper(queues, bed.store, beats(), takeover, "sweeper",
                List::of, bed.queue, bed.calls(), Duration.ZERO, LEASE, LEASE, LEASE.multipliedBy(2), ORPHAN_DEADLINE,
                WorkerConfig.DEFAULT_RECEIVED_DEADLINE, clock, RandomGenerator.getDefault());
    }

    private WorkerHeartbeats beats() {
        return new WorkerHeartbeats(bed.store.client(), bed.store.tableName());
    }

    private List<CallMessage> drainCallsQueue() {
        return bed.aws.drainQueue().stream().map(CallMessage::parse).toList();
    }

    @Test
    void a_call_whose_worker_died_is_taken_over_within_seconds_and_re_attached_without_a_second_greeting() {
        Map<String, String> fast = Map.of("LEASE_DURATION_MS", "1000", "LEASE_RENEW_MS", "200");
        SessionWorker dead = bed.startWorker(fast);
        SessionWorker survivor = bed.startWorker(fast);
        String callId = bed.placeCall(longCall());
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));
        SessionWorker owner = dead.workerId().equals(bed.call(callId).owner()) ? dead : survivor;
        SessionWorker other = owner == dead ? survivor : dead;
        owner.halt(); // no SIGTERM: nothing is handed off, the heartbeat just stops

        Await.until("re-attached by the other worker", WAIT, () -> bed.call(callId).status() == CallStatus.ATTACHED
                && other.workerId().equals(bed.call(callId).owner()) && bed.sim.call(callId).connected());
        assertThat(bed.sim.call(callId).attachCount()).isEqualTo(2);
        assertThat(bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count()).isEqualTo(1);
        assertThat(bed.logs()).contains("worker silent; taking over its calls");
        Await.until("owner_lost and reattached events", WAIT, () -> bed.eventKinds(callId).containsAll(
                List.of("owner_lost", "reattached")));
        Await.until("the new owner polls the call's queue", WAIT, () -> other.controlQueuesPolled().contains(callId));
    }

    @Test
    void control_queues_of_unknown_or_long_ended_calls_are_swept_and_live_ones_kept() {
        SessionWorker worker = bed.startWorker(Map.of());
        String live = bed.placeCall(longCall());
        String liveUrl = Await.value("live queue URL recorded", WAIT, () -> bed.call(live).controlQueueUrl());
        queues.create(live); // as the control side does for the call's first command
        assertThat(bed.store.recordControlQueue(live, liveUrl, Instant.now())).isTrue();
        String unknown = "rtc_unknownA1b2C3d4e5F6";
        String unknownQueue = queues.create(unknown);
        String ended = bed.sim.newCall(Scenario.quiet());
        bed.recordQueued(ended, TestBed.CALLER, TestBed.CALLED, null, null);
        bed.store.markEnded(ended, "caller_hangup", Instant.now().minus(LEASE.multipliedBy(3)));
        queues.create(ended);
        String justEnded = bed.sim.newCall(Scenario.quiet());
        bed.recordQueued(justEnded, TestBed.CALLER, TestBed.CALLED, null, null);
        bed.store.markEnded(justEnded, "caller_hangup", Instant.now());
        queues.create(justEnded);

        Sweeper.Report report = worker.sweepNow();

        assertThat(report.queuesDeleted()).isEqualTo(2);
        assertThat(queues.find(unknown)).isEmpty();
        assertThat(queues.find(ended)).isEmpty();
        assertThat(queues.find(live)).isPresent();
        assertThat(queues.find(justEnded)).as("left to the call's owner for a while").isPresent();
        assertThat(queues.listAll()).doesNotContain(unknownQueue);
    }

    @Test
    void a_call_of_a_silent_owner_is_freed_by_the_sweep_once_and_only_after_the_grace() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
        String callId = bed.sim.newCall(Scenario.quiet());
        bed.recordQueued(callId, TestBed.CALLER, TestBed.CALLED, null, null);
        Instant t0 = clock.instant();
        String deadWorker = "dead-" + callId;
        beats().register(deadWorker, t0);
        bed.store.claimOwnership(callId, deadWorker, t0).orElseThrow();

        clock.advance(LEASE.plus(LEASE).minusSeconds(1)); // silent past the stale limit, but within the grace
        assertThat(sweeper(clock).sweepOnce().callsOrphaned()).isZero();
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ATTACHED);

        clock.advance(Duration.ofSeconds(2));
        List<Sweeper.Report> reports = sweepConcurrently(clock, 4);
        assertThat(reports.stream().mapToInt(Sweeper.Report::callsOrphaned).sum()).isEqualTo(1);
        CallRecord orphaned = bed.call(callId);
        assertThat(orphaned.status()).isEqualTo(CallStatus.ORPHANED);
        assertThat(orphaned.owner()).isNull();
        List<CallMessage> sent = drainCallsQueue().stream().filter(m -> m.callId().equals(callId)).toList();
        assertThat(sent).singleElement().satisfies(m -> assertThat(m.reason()).isEqualTo(CallMessage.Reason.ORPHANED));
        assertThat(bed.eventKinds(callId)).containsOnlyOnce("owner_lost");
    }

    @Test
    void a_call_pointing_at_an_owner_with_no_heartbeat_at_all_is_freed() {
        MutableClock clock = new MutableClock(Instant.now());
        String callId = bed.sim.newCall(Scenario.quiet());
        bed.recordQueued(callId, TestBed.CALLER, TestBed.CALLED, null, null);
        bed.store.claimOwnership(callId, "never-beat-" + callId, clock.instant()).orElseThrow();

        assertThat(sweeper(clock).sweepOnce().callsOrphaned()).isEqualTo(1);
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ORPHANED);
    }

    @Test
    void a_call_left_orphaned_is_re_enqueued_at_most_once_per_two_leases() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
        String callId = bed.sim.newCall(Scenario.quiet());
        bed.recordQueued(callId, TestBed.CALLER, TestBed.CALLED, null, null);
        Instant t0 = clock.instant();
        bed.store.claimOwnership(callId, "leaving-worker", t0).orElseThrow();
        bed.store.releaseOwnership(callId, "leaving-worker"); // its hand-off message is then lost
        bed.aws.drainQueue();

        assertThat(sweeper(clock).sweepOnce().callsRequeued()).as("first sighting only").isZero();
        clock.advance(LEASE);
        assertThat(sweeper(clock).sweepOnce().callsRequeued()).isZero();
        clock.advance(LEASE.plusSeconds(1));
        assertThat(sweepConcurrently(clock, 4).stream().mapToInt(Sweeper.Report::callsRequeued).sum()).isEqualTo(1);
        assertThat(sweeper(clock).sweepOnce().callsRequeued()).isZero();
        assertThat(drainCallsQueue()).filteredOn(m -> m.callId().equals(callId)).singleElement()
                .satisfies(m -> assertThat(m.reason()).isEqualTo(CallMessage.Reason.ORPHANED));
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ORPHANED);
    }

    @Test
    void a_queued_call_whose_message_was_lost_is_re_enqueued_once_past_its_deadline() {
        MutableClock clock = new MutableClock(Instant.now());
        String callId = bed.sim.newCall(Scenario.quiet());
        bed.recordQueued(callId, TestBed.CALLER, TestBed.CALLED, null, null); // its message went to the DLQ
        bed.aws.drainQueue();

        clock.advance(Duration.ofSeconds(20));
        assertThat(sweeper(clock).sweepOnce().callsRequeued()).as("within its deadline").isZero();
        clock.advance(Duration.ofSeconds(15));
        assertThat(sweepConcurrently(clock, 3).stream().mapToInt(Sweeper.Report::callsRequeued).sum()).isEqualTo(1);
        assertThat(drainCallsQueue()).filteredOn(m -> m.callId().equals(callId)).singleElement()
                .satisfies(m -> assertThat(m.reason()).isEqualTo(CallMessage.Reason.INCOMING));
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.QUEUED);
    }

    @Test
    void a_call_never_accepted_is_hung_up_at_openai_and_ended_accept_failed_past_its_deadline() {
        MutableClock clock = new MutableClock(Instant.now());
        String callId = bed.sim.newCall(Scenario.quiet());
        bed.store.recordIncoming(new IncomingCall(callId, "wh_" + callId, List.of()), clock.instant());

        clock.advance(Duration.ofMinutes(4));
        sweeper(clock).sweepOnce();
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.RECEIVED);
        assertThat(bed.sim.requests(callId)).noneMatch(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP);

        clock.advance(Duration.ofMinutes(2));
        sweeper(clock).sweepOnce();
        CallRecord ended = bed.call(callId);
        assertThat(ended.status()).isEqualTo(CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("accept_failed");
        assertThat(bed.sim.requests(callId)).anyMatch(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP);
    }

    @Test
    void an_orphan_nobody_takes_is_hung_up_at_openai_and_ended_lost_once_past_its_deadline() {
        MutableClock clock = new MutableClock(Instant.now());
        String callId = bed.sim.newCall(Scenario.quiet());
        bed.recordQueued(callId, TestBed.CALLER, TestBed.CALLED, null, null);
        bed.store.claimOwnership(callId, "leaving-worker", clock.instant()).orElseThrow();
        assertThat(bed.store.releaseOwnership(callId, "leaving-worker", false, clock.instant())).isTrue();

        clock.advance(ORPHAN_DEADLINE.minusSeconds(30));
        assertThat(sweeper(clock).sweepOnce().callsEnded()).as("within its deadline").isZero();
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ORPHANED);
        assertThat(bed.sim.requests(callId)).noneMatch(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP);

        clock.advance(Duration.ofSeconds(31));
        List<Sweeper.Report> reports = sweepConcurrently(clock, 3);

        assertThat(reports.stream().mapToInt(Sweeper.Report::callsEnded).sum()).isEqualTo(1);
        CallRecord ended = bed.call(callId);
        assertThat(ended.status()).isEqualTo(CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("lost");
        assertThat(bed.sim.requests(callId)).filteredOn(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP).hasSize(1);
        assertThat(bed.sim.call(callId).ended()).as("not live at OpenAI").isTrue();
        assertThat(bed.store.allEvents(callId)).filteredOn(e -> e.kind().equals("hangup")).singleElement()
                .satisfies(e -> {
                    assertThat(e.details().path("outcome").asText()).isEqualTo("done");
                    assertThat(e.details().path("why").asText()).isEqualTo("orphan_deadline");
                });
        assertThat(bed.store.claimOwnership(callId, "late-worker", clock.instant())).isEmpty();
    }

    private List<Sweeper.Report> sweepConcurrently(MutableClock clock, int sweepers) {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Sweeper.Report>> futures = new ArrayList<>();
            for (int i = 0; i < sweepers; i++) {
                Callable<Sweeper.Report> task = () -> sweeper(clock).sweepOnce();
                futures.add(pool.submit(task));
            }
            List<Sweeper.Report> reports = new ArrayList<>();
            for (Future<Sweeper.Report> f : futures) {
                reports.add(f.get());
            }
            return reports;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
