package ai.phoneagent.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallStatus;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.testing.Await;
import ai.phoneagent.worker.SessionWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Many simultaneous calls on one worker stay independent: each greeted, each transcript complete and its own. */
@WithTestBed
class WorkerLoadTest {
    static final int CALLS = 50;
    TestBed bed;

    @Test
    void fifty_simultaneous_calls_are_each_greeted_and_transcribed_in_order_without_mixing() {
        SessionWorker worker = bed.startWorker(Map.of("WORKER_CAPACITY", "60",
                "DISCORD_WEBHOOK_URL", bed.discord.webhookUrl()));
        List<String> callIds = new ArrayList<>();
        for (int n = 0; n < CALLS; n++) {
            callIds.add(bed.placeCall(Scenario.of("caller " + n,
                    Step.await(AwaitTarget.GREETING),
                    Step.caller("I am caller " + n),
                    Step.agent("Hello caller " + n),
                    Step.caller("Goodbye from " + n),
                    Step.hangup(n % 2 == 0))));
        }
        Await.until("every call ended", Duration.ofSeconds(60),
                () -> callIds.stream().allMatch(id -> bed.call(id).status() == CallStatus.ENDED));
        for (int n = 0; n < CALLS; n++) {
            String callId = callIds.get(n);
            assertThat(bed.sim.clientEvents(callId).getFirst().path("type").asText()).isEqualTo("response.create");
            assertThat(bed.turnLines(callId)).as("transcript of call %d", n).containsExactly(
                    "agent: Hello, thanks for calling Acme.",
                    "caller: I am caller " + n,
                    "agent: Hello caller " + n,
                    "caller: Goodbye from " + n);
            assertThat(bed.call(callId).endReason()).isEqualTo("caller_hangup");
            assertThat(bed.sim.requests(callId).stream().filter(r -> r.endpoint() == ConnectorRequest.Endpoint.ATTACH)
                    .map(ConnectorRequest::status).toList()).as("the call's attach, then the refused re-attach").endsWith(404).hasSize(2);
        }
        Await.until("all slots free", Duration.ofSeconds(10), () -> worker.activeCalls() == 0);
        // Discord got every call's lines, each call's in order
        var contents = bed.discord.awaitMessages(CALLS * 6, Duration.ofSeconds(60)).stream()
                .map(m -> m.body().path("username").asText() + "|" + m.content()).toList();
        for (String callId : callIds) {
            String user = "Call " + callId.substring(callId.length() - 8) + "|";
            List<String> mine = contents.stream().filter(c -> c.startsWith(user)).map(c -> c.substring(user.length())).toList();
            assertThat(mine).hasSize(6);
            assertThat(mine.get(1)).isEqualTo("Agent: Hello, thanks for calling Acme.");
            assertThat(mine.get(2)).startsWith("Caller: I am caller");
            assertThat(mine.get(5)).startsWith("📴 Call ended");
        }
    }
}
