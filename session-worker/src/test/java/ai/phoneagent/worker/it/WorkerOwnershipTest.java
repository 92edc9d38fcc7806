package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.longCall;
import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.WorkerHeartbeats;
import ai.phoneagent.json.Json;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.InterceptedDynamo;
import ai.phoneagent.worker.SessionWorker;
import ai.phoneagent.worker.call.CallLifecycleListener;
import ai.phoneagent.worker.call.CallSession;
import ai.phoneagent.worker.call.CommandResult;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Claims, leases, capacity, hand-off at shutdown, health, and the operator command seam. */
@WithTestBed
class WorkerOwnershipTest {
    TestBed bed;

    private static Scenario waitsForHangup() {
        return longCall();
    }

    @Test
    void a_message_delivered_to_two_workers_gives_one_owner_and_one_websocket() {
        SessionWorker first = bed.startWorker(Map.of());
        SessionWorker second = bed.startWorker(Map.of());
        String callId = bed.sim.newCall(waitsForHangup());
        bed.recordQueued(callId, TestBed.CALLER, TestBed.CALLED, null, null);
        CallMessage message = new CallMessage(callId, "wh", 0, CallMessage.Reason.INCOMING);
        for (int i = 0; i < 4; i++) {
            bed.queue.send(message); // duplicates, as SQS at-least-once delivery may produce
        }
        Await.until("the call is greeted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));
        Await.until("every duplicate is consumed", WAIT, () -> bed.aws.queueDepth() == 0);
        CallRecord call = bed.call(callId);
        assertThat(call.status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(call.owner()).isIn(first.workerId(), second.workerId());
        assertThat(bed.sim.call(callId).attachCount()).isEqualTo(1);
        assertThat(first.activeCalls() + second.activeCalls()).isEqualTo(1);
    }

    @Test
    void a_message_that_overtakes_the_webhooks_queued_mark_is_claimed_and_greeted_once() {
        SessionWorker worker = bed.startWorker(Map.of());
        String callId = bed.sim.newCall(waitsForHangup());
        // the webhook's state as its message goes out beside the mark: still RECEIVED under its accept claim
        Instant accepted = Instant.now();
        bed.store.recordIncoming(new ai.phoneagent.call.IncomingCall(callId, "wh_" + callId, List.of()), accepted,
                "webhook-accepting", Duration.ofSeconds(10));
        bed.queue.send(new CallMessage(callId, "wh_" + callId, accepted.toEpochMilli(), CallMessage.Reason.INCOMING));

        Await.until("the call is greeted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));
        CallRecord call = bed.call(callId);
        assertThat(call.status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(call.owner()).isEqualTo(worker.workerId());
        assertThat(bed.store.startEnqueue(callId, "webhook-accepting", "webhook-sending", Instant.now(),
                Duration.ofSeconds(5))).as("the webhook's late mark writes nothing").isFalse();
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count()).isEqualTo(1);
        assertThat(bed.sim.call(callId).attachCount()).isEqualTo(1);
    }

    @Test
    void an_invalid_queue_message_never_stops_the_loop() {
        SessionWorker worker = bed.startWorker(Map.of());
        bed.aws.sqs().sendMessage(b -> b.queueUrl(bed.queue.url()).messageBody("{not json"));
        bed.aws.sqs().sendMessage(b -> b.queueUrl(bed.queue.url()).messageBody("{\"callId\":\"../../etc\"}"));
        String callId = bed.placeCall(Scenario.of("after garbage", Step.await(AwaitTarget.GREETING), Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(bed.logs()).contains("invalid calls-queue message").doesNotContain("{not json");
        Await.until("slot freed", WAIT, () -> worker.activeCalls() == 0);
    }

    @Test
    void a_full_worker_stops_receiving_until_a_call_ends() {
        SessionWorker worker = bed.startWorker(Map.of("WORKER_CAPACITY", "1"));
        String first = bed.placeCall(waitsForHangup());
        Await.until("first call hosted", WAIT, () -> bed.turnLines(first).contains("caller: Hello"));
        String second = bed.placeCall(waitsForHangup());
        // the second message stays on the queue, unreceived, while the worker is full
        Await.until("second message visible", WAIT, () -> bed.aws.peekQueue().size() == 1);
        assertThat(bed.call(second).status()).isEqualTo(CallStatus.QUEUED);
        assertThat(worker.activeCalls()).isEqualTo(1);
        bed.sim.hangup(first, true);
        bed.awaitStatus(first, CallStatus.ENDED);
        Await.until("second call hosted", WAIT, () -> bed.turnLines(second).contains("caller: Hello"));
        assertThat(bed.call(second).owner()).isEqualTo(worker.workerId());
    }

    @Test
    void a_worker_taken_over_while_silent_stops_handling_its_calls_without_writing() {
        SessionWorker worker = bed.startWorker(Map.of("LEASE_DURATION_MS", "60000", "LEASE_RENEW_MS", "30000"));
        String callId = bed.placeCall(waitsForHangup());
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));
        // another worker saw this one silent and took its calls over
        WorkerHeartbeats beats = new WorkerHeartbeats(bed.store.client(), bed.store.tableName());
        assertThat(beats.claimTakeover(beats.get(worker.workerId()).orElseThrow(), "other-worker", Instant.now())).isTrue();
        assertThat(bed.store.orphanOwnedBy(callId, worker.workerId(), Instant.now())).isTrue();
        assertThat(bed.store.claimOwnership(callId, "other-worker", Instant.now())).isPresent();

        worker.heartbeatNow();

        Await.until("socket dropped", WAIT, () -> !bed.sim.call(callId).connected());
        Await.until("slot freed", WAIT, () -> worker.activeCalls() == 0);
        CallRecord call = bed.call(callId);
        assertThat(call.status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(call.owner()).isEqualTo("other-worker");
        assertThat(bed.logs()).contains("taken over while silent");
        assertThat(beats.beat(worker.workerId(), Instant.now())).as("registered afresh").isTrue();
    }

    @Test
    void a_store_outage_delays_transcript_writes_and_loses_none() {
        AtomicBoolean storeDown = new AtomicBoolean();
        DynamoDbClient flaky = InterceptedDynamo.around(bed.aws.dynamo(), (request, proceed) -> {
            if (storeDown.get()) {
                throw SdkClientException.create("store unreachable");
            }
            return proceed.call();
        });
        SessionWorker worker = bed.startWorker(Map.of("LEASE_DURATION_MS", "2000", "LEASE_RENEW_MS", "200"),
                CallLifecycleListener.none(), new CallStore(flaky, bed.aws.tableName()));
        String callId = bed.placeCall(Scenario.of("outage", Step.await(AwaitTarget.GREETING), Step.caller("Hello"),
                Step.await(AwaitTarget.SYSTEM_MESSAGE), Step.caller("Are you still there?"),
                Step.agent("I am here.")));
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));

        storeDown.set(true);
        CallSession session = worker.session(callId).orElseThrow();
        assertThat(session.sendInstructions("Keep going.", false).ok()).isTrue();
        bed.sim.awaitCall(callId, c -> c.scenarioFinished(), WAIT);
        Await.until("the outage shows in health", WAIT, () -> health(worker).contains("storeFailingSince"));
        assertThat(bed.turnLines(callId)).doesNotContain("caller: Are you still there?");
        assertThat(bed.sim.call(callId).connected()).as("the call is kept through the outage").isTrue();

        storeDown.set(false);
        Await.until("every received line stored", WAIT, () -> bed.turnLines(callId)
                .containsAll(List.of("caller: Hello", "caller: Are you still there?", "agent: I am here.")));
        assertThat(bed.turnLines(callId).stream().filter(l -> l.equals("caller: Are you still there?")).count()).isEqualTo(1);
        Await.until("health clear again", WAIT, () -> !health(worker).contains("storeFailingSince"));
        assertThat(bed.logs()).contains("call store write failed; retrying");
    }

    private static String health(SessionWorker worker) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + worker.healthPort() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shutdown_does_not_wait_out_a_long_poll_before_handing_calls_off() {
        SessionWorker worker = bed.startWorker(Map.of("QUEUE_WAIT_SECONDS", "20", "SHUTDOWN_TIMEOUT_MS", "8000",
                "CONTROL_QUEUE_WAIT_SECONDS", "1"));
        String callId = bed.placeCall(waitsForHangup());
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));

        long start = System.nanoTime();
        worker.close(); // the poller sits in a 20 s long poll on the empty calls queue
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // waiting the poll out would have spent the whole 8 s budget before the hand-off even began
        assertThat(took).isLessThan(Duration.ofSeconds(6));
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ORPHANED);
        assertThat(bed.aws.peekQueue()).singleElement().satisfies(m -> assertThat(m.body()).contains(callId));
    }

    @Test
    void the_heartbeat_is_written_on_a_timer() {
        SessionWorker worker = bed.startWorker(Map.of("LEASE_DURATION_MS", "3000", "LEASE_RENEW_MS", "200"));
        WorkerHeartbeats beats = new WorkerHeartbeats(bed.store.client(), bed.store.tableName());
        Instant first = Await.value("registered", WAIT, () -> beats.get(worker.workerId()).map(b -> b.beatAt()).orElse(null));
        Await.until("beat again", WAIT, () -> beats.get(worker.workerId()).orElseThrow().beatAt().isAfter(first));
    }

    @Test
    void shutdown_hands_live_calls_to_another_worker_without_greeting_again() {
        SessionWorker first = bed.startWorker(Map.of());
        String callId = bed.placeCall(waitsForHangup());
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));

        first.close(); // what the SIGTERM hook does

        CallRecord orphaned = bed.call(callId);
        assertThat(orphaned.status()).isEqualTo(CallStatus.ORPHANED);
        assertThat(orphaned.owner()).isNull();
        List<String> bodies = bed.aws.peekQueue().stream().map(m -> m.body()).toList();
        assertThat(bodies).singleElement().satisfies(b -> assertThat(b).contains("\"reason\":\"orphaned\"").contains(callId));

        SessionWorker second = bed.startWorker(Map.of());
        Await.until("re-attached by the second worker", WAIT, () -> bed.sim.call(callId).attachCount() == 2
                && bed.call(callId).status() == CallStatus.ATTACHED);
        assertThat(bed.call(callId).owner()).isEqualTo(second.workerId());
        assertThat(bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count()).isEqualTo(1);
        bed.sim.hangup(callId, true);
        assertThat(bed.awaitStatus(callId, CallStatus.ENDED).endReason()).isEqualTo("caller_hangup");
    }

    @Test
    void health_reports_load_and_turns_503_while_draining() throws Exception {
        SessionWorker worker = bed.startWorker(Map.of("WORKER_CAPACITY", "3"));
        String callId = bed.placeCall(waitsForHangup());
        Await.until("call hosted", WAIT, () -> worker.activeCalls() == 1);
        HttpClient client = HttpClient.newHttpClient();
        var response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.healthPort() + "/health"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Json.parse(response.body());
        assertThat(body.path("status").asText()).isEqualTo("ok");
        assertThat(body.path("activeCalls").asInt()).isEqualTo(1);
        assertThat(body.path("capacity").asInt()).isEqualTo(3);
        assertThat(body.path("workerId").asText()).isEqualTo(worker.workerId());
        bed.sim.hangup(callId, true);
        bed.awaitStatus(callId, CallStatus.ENDED);
    }

    @Test
    void the_command_seam_sends_instructions_transfers_and_hangs_up() throws Exception {
        List<CallSession> attached = new CopyOnWriteArrayList<>();
        CallLifecycleListener hook = new CallLifecycleListener() {
            @Override
            public void onAttached(CallSession session) {
                attached.add(session);
            }
        };
        SessionWorker worker = bed.startWorker(Map.of("TRANSFER_MODE", "cold", "TRANSFER_TARGETS", "sales=+15550002222"), hook);
        String callId = bed.placeCall(waitsForHangup());
        Await.until("attach hook called", WAIT, () -> attached.size() == 1);
        CallSession session = worker.session(callId).orElseThrow();
        assertThat(attached.getFirst()).isSameAs(session);

        assertThat(session.sendInstructions("Offer a callback tomorrow.", true).ok()).isTrue();
        JsonNode system = bed.sim.awaitClientEvent(callId, AwaitTarget.SYSTEM_MESSAGE::matches, WAIT);
        assertThat(system.path("item").path("content").get(0).path("text").asText()).isEqualTo("Offer a callback tomorrow.");

        CommandResult refused = session.transfer("+15551234567", "operator typo", true);
        assertThat(refused.ok()).isFalse();
        assertThat(refused.code()).isEqualTo("unknown_target");

        assertThat(session.transfer("sales", "operator decided", true).ok()).isTrue();
        assertThat(bed.sim.call(callId).referTargets()).containsExactly("tel:+15550002222");

        assertThat(session.hangup("operator_hangup").ok()).isTrue();
        CallRecord ended = bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("operator_hangup");
        assertThat(session.hangup("operator_hangup").ok()).isFalse();
    }
}
