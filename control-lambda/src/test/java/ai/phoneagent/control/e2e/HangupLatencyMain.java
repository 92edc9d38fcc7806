package ai.phoneagent.control.e2e;

import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.control.Events;
import ai.phoneagent.control.e2e.E2eBed.Reply;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.EmbeddedAws;
import ai.phoneagent.testing.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A measurement, not a test: operator hang-up latency, from the control request to the Calls API hang-up arriving at
 * the simulator, for a handful of idle live calls on one worker with its production control-queue timings, over the
 * embedded ElasticMQ and DynamoDB Local. Prints one line per call and the median and maximum.
 * Run: {@code java -cp <control-lambda test classpath> ai.phoneagent.control.e2e.HangupLatencyMain [calls]}.
 */
public final class HangupLatencyMain {
    private HangupLatencyMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        Map<String, String> production = new HashMap<>();
        production.put("CONTROL_QUEUE_WAIT_SECONDS", null); // the worker's default, not the tests' short one
        try (E2eBed bed = new E2eBed(EmbeddedAws.shared())) {
            bed.startWorker(production);
            ControlHandler control = bed.control(Map.of());
            List<String> calls = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                calls.add(bed.placeCall());
            }
            calls.forEach(bed::awaitControlReady);
            // a deliberate idle period (not synchronisation): the reads at attach are over, only idle polling remains
            Thread.sleep(5_000);
            List<Long> latencies = new ArrayList<>();
            for (String callId : calls) {
                Instant sent = Instant.now();
                Reply reply = bed.send(control, Events.request("POST", "/control/calls/" + callId + "/hangup")
                        .bearer(TestKeys.CONTROL_API_TOKEN).json("{}").build());
                ConnectorRequest hangup = Await.value("hang-up at the simulator", E2eBed.WAIT, () -> bed.sim.requests(callId)
                        .stream().filter(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP).findFirst().orElse(null));
                long ms = Duration.between(sent, hangup.receivedAt()).toMillis();
                latencies.add(ms);
                System.out.printf("call %s: HTTP %d, hang-up at the simulator after %d ms%n", callId, reply.status(), ms);
            }
            List<Long> sorted = latencies.stream().sorted().toList();
            System.out.printf("hang-up latency over %d idle calls: median %d ms, max %d ms%n", sorted.size(),
                    sorted.get(sorted.size() / 2), sorted.getLast());
        }
        System.exit(0);
    }
}
