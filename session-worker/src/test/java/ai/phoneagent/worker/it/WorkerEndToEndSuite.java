package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.TestKeys;
import ai.phoneagent.worker.SessionWorker;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's main path end to end, over real sockets, on whichever AWS backend a subclass provides. */
@WithTestBed
abstract class WorkerEndToEndSuite implements WithTestBed.Backed {
    static final String GREETING = "Hello, thanks for calling Acme.";
    TestBed bed;

    @Test
    void greets_first_then_stores_the_conversation_in_order_and_ends_on_caller_hangup() {
        bed.startWorker(Map.of("DISCORD_WEBHOOK_URL", bed.discord.webhookUrl()));
        String callId = bed.placeCall(Scenario.of("conversation",
                Step.await(AwaitTarget.GREETING),
                Step.caller("Hi, when are you open?"),
                Step.agent("Nine to five on weekdays."),
                Step.caller("Thanks, bye."),
                Step.hangup(true)));

        CallRecord ended = bed.awaitStatus(callId, CallStatus.ENDED);

        List<JsonNode> sent = bed.sim.clientEvents(callId);
        assertThat(sent.getFirst().path("type").asText()).isEqualTo("response.create");
        assertThat(sent.getFirst().path("response").path("instructions").asText())
                .isEqualTo("Say exactly '" + GREETING + "' now.");
        assertThat(bed.turnLines(callId)).containsExactly(
                "agent: " + GREETING,
                "caller: Hi, when are you open?",
                "agent: Nine to five on weekdays.",
                "caller: Thanks, bye.");
        assertThat(ended.endReason()).isEqualTo("caller_hangup");
        assertThat(ended.endedAt()).isNotNull();
        assertThat(ended.leaseUntil()).isNull();
    }

    @Test
    void attaches_with_only_the_bearer_key_and_never_the_beta_header() {
        bed.startWorker(Map.of());
        String callId = bed.placeCall(Scenario.of("attach", Step.await(AwaitTarget.GREETING), Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        ConnectorRequest attach = bed.sim.requests(callId).stream()
                .filter(r -> r.endpoint() == ConnectorRequest.Endpoint.ATTACH).findFirst().orElseThrow();
        assertThat(attach.header("Authorization")).isEqualTo("Bearer " + TestKeys.OPENAI_API_KEY);
        assertThat(attach.header("OpenAI-Beta")).isNull();
        assertThat(attach.query()).isEqualTo("call_id=" + callId);
    }

    @Test
    void sends_no_greeting_when_the_welcome_message_is_empty() {
        bed.startWorker(Map.of("WELCOME_MESSAGE", ""));
        String callId = bed.placeCall(Scenario.of("silent start",
                Step.caller("Hello?"),
                Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(bed.sim.clientEvents(callId)).noneMatch(e -> AwaitTarget.GREETING.matches(e));
        assertThat(bed.turnLines(callId)).containsExactly("caller: Hello?");
    }

    @Test
    void stores_each_utterance_once_even_when_events_repeat() {
        bed.startWorker(Map.of("WELCOME_MESSAGE", ""));
        String callId = bed.placeCall(Scenario.of("repeats",
                Step.caller("Is anyone there?"),
                Step.repeatLast(),
                Step.agent("Yes, I am here."),
                Step.repeatLast(),
                Step.repeatLast(),
                Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(bed.turnLines(callId)).containsExactly("caller: Is anyone there?", "agent: Yes, I am here.");
    }

    @Test
    void records_beta_event_names_as_agent_turns() {
        bed.startWorker(Map.of("WELCOME_MESSAGE", ""));
        String callId = bed.placeCall(Scenario.of("beta",
                Step.caller("Hi"),
                Step.betaAgent("Hello from an older deployment."),
                Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(bed.turnLines(callId)).containsExactly("caller: Hi", "agent: Hello from an older deployment.");
    }

    @Test
    void records_dtmf_errors_and_transcription_failures_as_events_and_ignores_unknown_events() {
        bed.startWorker(Map.of("WELCOME_MESSAGE", ""));
        String callId = bed.placeCall(Scenario.of("events",
                Step.dtmf("42"),
                Step.error("invalid_request_error", "unknown_parameter", "Unknown parameter."),
                Step.transcriptionFailed(),
                Step.unknown("something.new"),
                Step.caller("Still here"),
                Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(bed.eventKinds(callId)).containsSubsequence("dtmf", "dtmf", "error", "transcription_failed");
        assertThat(bed.events(callId).stream().filter(e -> e.kind().equals("dtmf"))
                .map(e -> e.details().path("digit").asText()).toList()).containsExactly("4", "2");
        assertThat(bed.turnLines(callId)).containsExactly("caller: Still here");
    }

    @Test
    void a_hang_up_without_a_close_frame_ends_the_call_too() {
        bed.startWorker(Map.of());
        String callId = bed.placeCall(Scenario.of("abrupt", Step.await(AwaitTarget.GREETING),
                Step.caller("Wait—"), Step.hangup(false)));
        CallRecord ended = bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("caller_hangup");
        assertThat(bed.turnLines(callId)).contains("caller: Wait—");
    }

    @Test
    void a_transient_drop_is_survived_by_re_attaching_once_without_a_second_greeting() {
        SessionWorker worker = bed.startWorker(Map.of());
        String callId = bed.placeCall(Scenario.of("drop", Step.await(AwaitTarget.GREETING),
                Step.caller("First part"), Step.drop(false)));
        Await.until("re-attached", WAIT, () -> bed.sim.call(callId).attachCount() == 2 && bed.sim.call(callId).connected());
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(worker.activeCalls()).isEqualTo(1);
        bed.sim.hangup(callId, true);
        bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count()).isEqualTo(1);
        assertThat(bed.eventKinds(callId)).contains("reattached");
    }

    @Test
    void a_call_whose_attach_is_refused_is_over() {
        SessionWorker worker = bed.startWorker(Map.of());
        String callId = bed.placeCall(Scenario.quiet());
        bed.sim.hangup(callId, true); // the caller hung up before any worker attached
        CallRecord ended = bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("caller_hangup");
        Await.until("slot freed", WAIT, () -> worker.activeCalls() == 0);
    }

    @Test
    void the_agent_ends_the_call_after_its_goodbye() {
        bed.startWorker(Map.of());
        String callId = bed.placeCall(Scenario.of("goodbye", Step.await(AwaitTarget.GREETING),
                Step.caller("That's all, thanks."),
                Step.agent("You're welcome, goodbye!"),
                Step.functionCall("end_call", Map.of("reason", "caller is done")),
                Step.await(AwaitTarget.FUNCTION_CALL_OUTPUT)));
        CallRecord ended = bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("agent_hangup");
        assertThat(bed.sim.requests(callId)).anyMatch(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP);
        assertThat(bed.turnLines(callId)).last().isEqualTo("agent: You're welcome, goodbye!");
        assertThat(bed.eventKinds(callId)).contains("tool_call", "hangup");
    }

    @Test
    void streams_the_call_to_discord_in_order_with_masked_numbers() {
        bed.startWorker(Map.of("DISCORD_WEBHOOK_URL", bed.discord.webhookUrl()));
        String callId = bed.placeCall(Scenario.of("discord", Step.await(AwaitTarget.GREETING),
                Step.caller("One"), Step.agent("Two"), Step.caller("Three"), Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        var messages = bed.discord.awaitMessages(6, WAIT);
        List<String> contents = messages.stream().map(m -> m.content()).toList();
        assertThat(contents.getFirst()).startsWith("📞 Call started").contains("+•••••••1212").doesNotContain("4255551212");
        assertThat(contents.subList(1, 5)).containsExactly("Agent: " + GREETING, "Caller: One", "Agent: Two", "Caller: Three");
        assertThat(contents.get(5)).startsWith("📴 Call ended").contains("caller_hangup");
        assertThat(messages).allSatisfy(m -> assertThat(m.body().path("allowed_mentions").path("parse").isEmpty()).isTrue());
    }

    @Test
    void logs_carry_the_call_id_and_never_a_secret() {
        bed.startWorker(Map.of("DISCORD_WEBHOOK_URL", bed.discord.webhookUrl("1", "SECRET-DISCORD-TOKEN")));
        String callId = bed.placeCall(Scenario.of("logs", Step.await(AwaitTarget.GREETING), Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        bed.discord.awaitMessages(3, WAIT);
        String logs = bed.logs();
        assertThat(logs).contains("\"call_id\":\"" + callId + "\"");
        assertThat(TestKeys.containsSecret(logs)).isFalse();
        assertThat(logs).doesNotContain("SECRET-DISCORD-TOKEN");
        assertThat(logs.lines().filter(l -> l.contains(callId))).allSatisfy(l -> assertThat(l).startsWith("{"));
    }

    static Duration waitFor() {
        return WAIT;
    }
}
