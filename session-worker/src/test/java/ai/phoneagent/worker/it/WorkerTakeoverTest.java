package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.longCall;
import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.GreetingState;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.InterceptedDynamo;
import ai.phoneagent.worker.SessionWorker;
import ai.phoneagent.worker.call.CallLifecycleListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Failover after a worker dies without a hand-off (its heartbeat just stops): the calls it held are taken over by
 * the surviving workers directly, exactly once, without a second greeting; what does not fit goes through the queue.
 */
@WithTestBed
class WorkerTakeoverTest {
    /** Short heartbeat timings, so a death is seen within seconds (yet a busy test machine is not taken for dead). */
    static final Map<String, String> FAST = Map.of("LEASE_DURATION_MS", "2500", "LEASE_RENEW_MS", "250",
            "HEARTBEAT_SCAN_MS", "100", "SWEEP_INTERVAL_MS", "0");

    TestBed bed;

    private static Map<String, String> fast(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(FAST);
        env.putAll(more);
        return env;
    }

    /** Calls placed while only {@code doomed} runs, so it holds them all. */
    private List<String> callsHeldBy(SessionWorker doomed, int count) {
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(bed.placeCall(longCall()));
        }
        for (String callId : calls) {
            Await.until("call hosted by the doomed worker", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));
            assertThat(bed.call(callId).owner()).isEqualTo(doomed.workerId());
            Await.until("its greeting stored as sent", WAIT, () -> bed.call(callId).greeting() == GreetingState.SENT);
        }
        return calls;
    }

    private long count(String callId, String kind) {
        return bed.eventKinds(callId).stream().filter(kind::equals).count();
    }

    @Test
    void callsOfAWorkerThatDiedAreTakenOverExactlyOnceAcrossSeveralSurvivorsWithoutTheQueue() {
        SessionWorker doomed = bed.startWorker(FAST);
        List<String> calls = callsHeldBy(doomed, 3);
        List<SessionWorker> survivors = List.of(bed.startWorker(FAST), bed.startWorker(FAST));
        Set<String> survivorIds = survivors.stream().map(SessionWorker::workerId).collect(Collectors.toSet());

        doomed.halt(); // as kill -9: no hand-off, no writes, the heartbeat just stops

        for (String callId : calls) {
            Await.until("re-attached by a survivor", WAIT, () -> survivorIds.contains(bed.call(callId).owner())
                    && bed.sim.call(callId).attachCount() == 2 && bed.sim.call(callId).connected());
            Await.until("reattached event", WAIT, () -> count(callId, "reattached") == 1);
        }
        for (String callId : calls) {
            CallRecord call = bed.call(callId);
            assertThat(call.status()).isEqualTo(CallStatus.ATTACHED);
            assertThat(count(callId, "owner_lost")).as("taken over once").isEqualTo(1);
            assertThat(count(callId, "reattached")).isEqualTo(1);
            assertThat(bed.sim.call(callId).attachCount()).as("one re-attach, by one survivor").isEqualTo(2);
            assertThat(bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count())
                    .as("no second greeting").isEqualTo(1);
        }
        assertThat(survivors.stream().mapToInt(SessionWorker::activeCalls).sum()).isEqualTo(calls.size());
        assertThat(bed.aws.peekQueue()).as("no queue round trip").isEmpty();
        assertThat(bed.logs()).contains("worker silent; taking over its calls").contains("owner lost; call taken over");
    }

    @Test
    void aCallClaimedButNeverGreetedByAWorkerThatDiedIsGreetedOnceByTheWorkerThatTakesItOver() {
        bed.sim.refuseAttaches(503); // the doomed worker claims the call but can never open its socket
        SessionWorker doomed = bed.startWorker(FAST);
        String callId = bed.placeCall(longCall());
        Await.until("claimed by the doomed worker", WAIT, () -> doomed.workerId().equals(bed.call(callId).owner())
                && doomed.activeCalls() == 1);
        assertThat(bed.call(callId).greeting()).isEqualTo(GreetingState.DUE);

        doomed.halt(); // kill -9 before the greeting went out
        bed.sim.refuseAttaches(0);
        SessionWorker survivor = bed.startWorker(FAST);

        Await.until("taken over and greeted", WAIT, () -> survivor.workerId().equals(bed.call(callId).owner())
                && bed.turnLines(callId).contains("caller: Hello"));
        assertThat(bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count())
                .as("greeted exactly once").isEqualTo(1);
        Await.until("its greeting stored as sent", WAIT, () -> bed.call(callId).greeting() == GreetingState.SENT);
        assertThat(count(callId, "owner_lost")).isEqualTo(1);
        assertThat(bed.aws.peekQueue()).as("taken over directly, not through the queue").isEmpty();
    }

    @Test
    void aWorkerKilledBetweenItsClaimAndTheSessionsStartLeavesTheCallToTheTakeOverNotToAHandOff() throws Exception {
        CountDownLatch claimLanded = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        // the claim reaches the store; its answer is held until the worker is dead, as a kill lands right after it
        DynamoDbClient stalling = InterceptedDynamo.around(bed.aws.dynamo(), (request, proceed) -> {
            Object answer = proceed.call();
            if (request instanceof UpdateItemRequest update && update.conditionExpression() != null
                    && update.conditionExpression().startsWith("#status IN (:received")) {
                claimLanded.countDown();
                killed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            return answer;
        });
        SessionWorker doomed = bed.startWorker(FAST, CallLifecycleListener.none(),
                new CallStore(stalling, bed.aws.tableName()));
        String callId = bed.placeCall(longCall());
        assertThat(claimLanded.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("claim written").isTrue();

        doomed.halt();
        killed.countDown(); // the take-in goes on in this JVM, as it could not in a killed process: it must write nothing
        SessionWorker survivor = bed.startWorker(FAST);

        Await.until("taken over and greeted", WAIT, () -> survivor.workerId().equals(bed.call(callId).owner())
                && bed.turnLines(callId).contains("caller: Hello"));
        assertThat(count(callId, "owner_lost")).as("freed by the take-over").isEqualTo(1);
        assertThat(bed.logs()).as("no hand-off by the dead worker").doesNotContain("call handed off");
        assertThat(bed.sim.call(callId).attachCount()).as("only the survivor's socket").isEqualTo(1);
        assertThat(bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count()).isEqualTo(1);
    }

    @Test
    void aFullSurvivorTakesWhatFitsAndReEnqueuesTheRestForAWorkerWithRoom() {
        SessionWorker doomed = bed.startWorker(FAST);
        List<String> calls = callsHeldBy(doomed, 2);
        SessionWorker small = bed.startWorker(fast(Map.of("WORKER_CAPACITY", "1")));

        doomed.halt();

        Await.until("both calls freed", WAIT, () -> calls.stream().allMatch(id -> count(id, "owner_lost") == 1));
        List<String> actions = calls.stream().map(id -> bed.store.allEvents(id).stream()
                .filter(e -> e.kind().equals("owner_lost")).findFirst().orElseThrow().details().path("action").asText())
                .toList();
        assertThat(actions).as("one taken over directly, one through the queue")
                .containsExactlyInAnyOrder("taken_over", "requeued");
        String taken = calls.get(actions.indexOf("taken_over"));
        String requeued = calls.get(actions.indexOf("requeued"));
        Await.until("taken over by the small worker", WAIT, () -> small.workerId().equals(bed.call(taken).owner())
                && bed.sim.call(taken).connected());

        bed.startWorker(FAST); // a worker with room, for the call that did not fit

        Await.until("the re-enqueued call is re-attached", WAIT, () -> bed.call(requeued).status() == CallStatus.ATTACHED
                && bed.sim.call(requeued).attachCount() == 2 && bed.sim.call(requeued).connected());
        assertThat(bed.sim.clientEvents(requeued).stream().filter(AwaitTarget.GREETING::matches).count()).isEqualTo(1);
        assertThat(count(requeued, "owner_lost")).isEqualTo(1);
    }

    @Test
    void aDuplicateQueueMessageForACallThisWorkerAlreadyHoldsNeverReAttachesIt() {
        SessionWorker worker = bed.startWorker(FAST);
        String callId = callsHeldBy(worker, 1).getFirst();
        bed.aws.drainQueue();

        // SQS may deliver a message again; a call's hand-off message may come back after a take-over
        bed.queue.send(new CallMessage(callId, "wh", 0, CallMessage.Reason.ORPHANED));
        bed.queue.send(new CallMessage(callId, "wh", 0, CallMessage.Reason.INCOMING));

        Await.until("both duplicates consumed", WAIT, () -> bed.aws.queueDepth() == 0);
        assertThat(bed.sim.call(callId).attachCount()).isEqualTo(1);
        assertThat(bed.call(callId).owner()).isEqualTo(worker.workerId());
        assertThat(worker.activeCalls()).isEqualTo(1);
        assertThat(bed.sim.call(callId).connected()).isTrue();
    }

    @Test
    void aWorkerRestartedUnderTheSameIdClaimsNoCallFromAMessageAndTakesItsUnhostedCallsOverInItsSweep() {
        Map<String, String> sameId = fast(Map.of("WORKER_ID", "worker-restarted"));
        SessionWorker before = bed.startWorker(sameId);
        String callId = callsHeldBy(before, 1).getFirst();
        before.halt();
        bed.aws.drainQueue();
        SessionWorker after = bed.startWorker(sameId);

        bed.queue.send(new CallMessage(callId, "wh", 0, CallMessage.Reason.ORPHANED)); // a late duplicate

        Await.until("the duplicate is consumed", WAIT, () -> bed.aws.queueDepth() == 0);
        assertThat(bed.logs()).contains("call not claimed: owned elsewhere or over");
        assertThat(after.activeCalls()).isZero();
        assertThat(bed.sim.call(callId).attachCount()).as("a claim never re-attaches a call already held").isEqualTo(1);

        after.sweepNow(); // the call points at this worker id, which does not host it: taken over here

        Await.until("re-attached by the restarted worker", WAIT, () -> bed.sim.call(callId).attachCount() == 2
                && bed.sim.call(callId).connected());
        assertThat(after.activeCalls()).isEqualTo(1);
        assertThat(bed.call(callId).owner()).isEqualTo("worker-restarted");
        assertThat(bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count()).isEqualTo(1);
        Await.until("owner_lost and reattached once", WAIT, () -> count(callId, "owner_lost") == 1
                && count(callId, "reattached") == 1);
    }
}
