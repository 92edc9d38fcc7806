package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.simulator.twilio.TwilioRequest;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real webhook handler at the front: a signed webhook becomes an accepted, queued, greeted, transcribed call. */
@WithTestBed
class WebhookToWorkerTest {
    TestBed bed;
    WebhookFront front;

    @BeforeEach
    void start() {
        front = new WebhookFront(bed, WorkerToolsTest.WARM);
    }

    @Test
    void a_signed_incoming_call_webhook_ends_in_a_greeted_transcribed_call() {
        Map<String, String> workerEnv = new HashMap<>(WorkerToolsTest.WARM);
        workerEnv.put("WELCOME_MESSAGE", "Hi, this is Acme.");
        bed.startWorker(workerEnv);
        IncomingCallSpec spec = IncomingCallSpec.builder().from("+14255551212").conferenceName("CF-e2e").build();
        bed.sim.useScenario(spec.callId(), Scenario.of("e2e",
                Step.await(AwaitTarget.GREETING),
                Step.caller("Can I talk to a person?"),
                Step.functionCall("transfer_to_human", Map.of("reason", "asked for a person")),
                Step.await(AwaitTarget.FUNCTION_CALL_OUTPUT),
                Step.await(AwaitTarget.RESPONSE_CREATE),
                Step.hangup(true)));
        WebhookEvent event = WebhookEvent.incomingCall(spec, Clock.systemUTC());

        assertThat(front.deliver(event).status()).isEqualTo(200);
        assertThat(front.deliver(event).status()).isEqualTo(200); // OpenAI redelivers: still one call, one worker

        CallRecord ended = bed.awaitStatus(spec.callId(), CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("caller_hangup");
        assertThat(bed.sim.requests(spec.callId()).stream().filter(r -> r.endpoint() == ConnectorRequest.Endpoint.ACCEPT)
                .count()).isEqualTo(1);
        assertThat(bed.sim.clientEvents(spec.callId()).getFirst().path("response").path("instructions").asText())
                .isEqualTo("Say exactly 'Hi, this is Acme.' now.");
        assertThat(bed.turnLines(spec.callId())).startsWith("agent: Hi, this is Acme.", "caller: Can I talk to a person?");
        TwilioRequest create = bed.twilio.awaitRequest(r -> r.route().equals(TwilioRequest.CREATE_PARTICIPANT), WAIT);
        assertThat(create.path()).contains("/Conferences/CF-e2e/");
        assertThat(create.param("From")).isEqualTo("+14255551212");
        assertThat(bed.sim.requests(spec.callId()).stream().filter(r -> r.endpoint() == ConnectorRequest.Endpoint.ATTACH)
                    .map(ConnectorRequest::status).toList()).as("the call's attach, then the refused re-attach").endsWith(404).hasSize(2);
    }
}
