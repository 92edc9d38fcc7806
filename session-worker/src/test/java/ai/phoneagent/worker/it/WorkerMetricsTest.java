package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.longCall;
import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.EmfLines;
import ai.phoneagent.testing.EmfLines.Datum;
import ai.phoneagent.testing.TestKeys;
import ai.phoneagent.worker.SessionWorker;
import ai.phoneagent.worker.call.CallLifecycleListener;
import ai.phoneagent.worker.call.CallSession;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A simulated call from signed webhook to hang-up, with every metric line the webhook and the worker wrote parsed
 * as EMF by an independent reader: names, units, dimension sets and values, the call id only ever a property.
 */
@WithTestBed
class WorkerMetricsTest {
    TestBed bed;
    WebhookFront front;

    @BeforeEach
    void start() {
        front = new WebhookFront(bed, Map.of());
    }

    @Test
    void a_simulated_call_is_measured_from_webhook_to_hang_up_as_valid_emf() {
        AtomicReference<SessionWorker> worker = new AtomicReference<>();
        // sampled while the call is live: the worker hosts exactly this one
        CallLifecycleListener sampleAtAttach = new CallLifecycleListener() {
            @Override
            public void onAttached(CallSession session) {
                Await.until("worker started", WAIT, () -> worker.get() != null);
                worker.get().sampleMetrics();
            }
        };
        worker.set(bed.startWorker(Map.of("DISCORD_WEBHOOK_URL", bed.discord.webhookUrl(), "WORKER_CAPACITY", "7"),
                sampleAtAttach));
        IncomingCallSpec spec = IncomingCallSpec.builder().from("+14255551212").build();
        bed.sim.useScenario(spec.callId(), Scenario.of("metrics",
                Step.await(AwaitTarget.GREETING),
                Step.caller("That is all, thanks."),
                Step.functionCall("end_call", Map.of("reason", "caller is done")),
                Step.await(AwaitTarget.FUNCTION_CALL_OUTPUT)));
        WebhookEvent event = WebhookEvent.incomingCall(spec, Clock.systemUTC());
        long before = System.currentTimeMillis();

        assertThat(front.deliver(event).status()).isEqualTo(200);
        CallRecord ended = bed.awaitStatus(spec.callId(), CallStatus.ENDED);
        long elapsed = System.currentTimeMillis() - before;
        int turns = bed.turns(spec.callId()).size();
        int posts = bed.discord.awaitMessages(turns + 1, WAIT).size(); // the lines and the end notice
        Await.until("every metric line written", WAIT, () -> {
            List<Datum> data = EmfLines.parse(bed.logs());
            return EmfLines.named(data, "DiscordPosts").size() >= posts
                    && turnsCounted(EmfLines.named(data, "TurnsStored")) >= turns
                    && !EmfLines.named(data, "CallsEnded").isEmpty();
        });

        List<Datum> data = EmfLines.parse(bed.logs());
        assertThat(data).as("every value is one the catalogue declares, under its declared dimension sets")
                .allSatisfy(d -> {
                    Metric metric = Metric.named(d.name()).orElseThrow(() -> new AssertionError("unknown metric " + d.name()));
                    assertThat(d.namespace()).isEqualTo(Metric.NAMESPACE);
                    assertThat(d.unit()).isEqualTo(metric.unit().cloudWatchName());
                    assertThat(d.dimensionSets()).isEqualTo(metric.dimensionSets());
                    assertThat(d.dimensions()).containsEntry("Service", metric.source().value())
                            .as("a call id is never a dimension").doesNotContainValue(spec.callId());
                });
        String callId = spec.callId();
        List<Datum> ofCall = EmfLines.where(data, d -> callId.equals(d.property("call_id")));

        assertThat(EmfLines.named(ofCall, "WebhooksReceived")).singleElement().extracting(Datum::value).isEqualTo(1.0);
        assertThat(EmfLines.named(ofCall, "CallsQueued")).singleElement()
                .satisfies(d -> assertThat(d.dimensions()).containsEntry("CallDirection", "inbound"));
        assertThat(EmfLines.named(ofCall, "AcceptLatency")).singleElement()
                .satisfies(d -> assertThat(d.dimensions()).containsEntry("Outcome", "done"));
        Datum greeting = EmfLines.named(ofCall, "GreetingWait").getFirst();
        assertThat(EmfLines.named(ofCall, "GreetingWait")).hasSize(1);
        assertThat(greeting.dimensions()).containsEntry("CallDirection", "inbound");
        assertThat(greeting.value()).as("the caller's wait, accept to greeting (ms)").isBetween(0.0, (double) elapsed);
        Datum queueWait = EmfLines.named(ofCall, "QueueWait").getFirst();
        assertThat(queueWait.value()).as("the queue's share of that wait").isBetween(0.0, greeting.value());

        // one line per journal write, its value the turns that write stored (a write can batch several)
        assertThat(turnsCounted(EmfLines.named(ofCall, "TurnsStored"))).as("every stored turn counted once")
                .isEqualTo(turns);
        assertThat(EmfLines.named(ofCall, "TurnsStored")).allSatisfy(d -> assertThat(d.value()).isPositive());
        assertThat(EmfLines.named(ofCall, "DiscordPosts")).as("one per message Discord took").hasSize(posts);
        assertThat(EmfLines.named(ofCall, "ToolCalls")).singleElement().satisfies(d ->
                assertThat(d.dimensions()).containsEntry("Tool", "end_call").containsEntry("Outcome", "ok"));
        assertThat(EmfLines.named(ofCall, "ToolLatency")).singleElement().satisfies(d -> {
            assertThat(d.dimensions()).containsEntry("Tool", "end_call");
            assertThat(d.value()).isBetween(0.0, (double) elapsed);
        });
        assertThat(EmfLines.named(ofCall, "CallsEnded")).singleElement().satisfies(d ->
                assertThat(d.dimensions()).containsEntry("CallDirection", "inbound")
                        .containsEntry("Reason", ended.endReason()));
        assertThat(EmfLines.named(ofCall, "StoreRetries")).as("DynamoDB answered every write").isEmpty();
        assertThat(EmfLines.named(ofCall, "DiscordDrops")).isEmpty();

        Datum live = EmfLines.named(data, "LiveCalls").getFirst();
        assertThat(live.value()).as("sampled while the call was hosted").isEqualTo(1.0);
        assertThat(live.property("worker_id")).isEqualTo(worker.get().workerId());
        assertThat(EmfLines.named(data, "WorkerCapacity").getFirst().value()).isEqualTo(7.0);
        assertThat(TestKeys.containsSecret(bed.logs())).isFalse();
    }

    @Test
    void a_re_attach_a_failover_and_a_hand_off_are_counted_once_each() {
        Map<String, String> fastLease = Map.of("LEASE_DURATION_MS", "2000", "LEASE_RENEW_MS", "200");
        SessionWorker first = bed.startWorker(fastLease);
        String callId = bed.placeCall(longCall());
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));

        bed.sim.dropConnections(callId, true);
        Await.until("re-attach counted", WAIT, () -> !named(callId, "Reattaches").isEmpty());

        first.halt(); // a crash: the heartbeat stops
        SessionWorker second = bed.startWorker(fastLease);
        Await.until("taken over and attached by the second worker", WAIT,
                () -> second.workerId().equals(bed.call(callId).owner()) && bed.call(callId).status() == CallStatus.ATTACHED);
        second.close(); // SIGTERM: the call is handed on

        Await.until("hand-off counted", WAIT, () -> !named(callId, "Handoffs").isEmpty());
        assertThat(named(callId, "Reattaches")).singleElement().extracting(Datum::value).isEqualTo(1.0);
        assertThat(named(callId, "Failovers")).singleElement().satisfies(d ->
                assertThat(d.dimensions().get("Reason")).isIn("owner_heartbeat_stale", "sweep"));
        assertThat(named(callId, "Handoffs")).singleElement().satisfies(d ->
                assertThat(d.dimensions()).containsEntry("Reason", "handoff"));
        assertThat(named(callId, "GreetingWait")).as("greeted once, not again by the new owner").hasSize(1);
        assertThat(named(callId, "CallsEnded")).as("a failover or hand-off never ends the call").isEmpty();
    }

    /** The call's values of one metric among everything logged so far. */
    private List<Datum> named(String callId, String metric) {
        return EmfLines.where(EmfLines.named(EmfLines.parse(bed.logs()), metric), d -> callId.equals(d.property("call_id")));
    }


    private static double turnsCounted(List<Datum> turnsStored) {
        return turnsStored.stream().mapToDouble(Datum::value).sum();
    }
}
