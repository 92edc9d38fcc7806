package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallSummary;
import ai.phoneagent.call.CallSummaryStore;
import ai.phoneagent.call.Turn;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.discord.DiscordMessage;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.testing.Await;
import ai.phoneagent.worker.SessionWorker;
import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Post-call summaries over real sockets: the worker on ElasticMQ and DynamoDB Local, the simulator's real HTTP
 * server answering the Responses API (and its faults), the fake Discord, and a real call-events receiver.
 */
@WithTestBed
class WorkerSummaryTest {
    private static final Duration LONG_WAIT = Duration.ofSeconds(30);
    private static final String MODEL = "gpt-summary-test";

    TestBed bed;
    CallEventReceiver receiver;

    @AfterEach
    void stopBed() {
        bed.close();
        if (receiver != null) {
            receiver.close();
        }
    }

    private SessionWorker startWorker(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("SUMMARY_MODEL", MODEL);
        env.put("SUMMARY_TIMEOUT_MS", "10000");
        env.put("DISCORD_WEBHOOK_URL", bed.discord.webhookUrl());
        env.putAll(extra);
        return bed.startWorker(env);
    }

    private static Scenario conversation() {
        return Scenario.of("conversation",
                Step.await(AwaitTarget.GREETING),
                Step.caller("My order 4411 never arrived, please call me back tomorrow."),
                Step.agent("I'm sorry. I've noted it and someone will call you back tomorrow."),
                Step.caller("Great, thanks."),
                Step.hangup(true));
    }

    private CallSummary awaitSummary(String callId, CallSummary.Status status, Duration wait) {
        Await.until("summary of " + callId + " is " + status, wait, () -> {
            CallSummary summary = bed.call(callId).summary();
            return summary != null && summary.status() == status;
        });
        return bed.call(callId).summary();
    }

    private List<ConnectorRequest> responsesRequests() {
        return bed.sim.requests().stream().filter(r -> r.endpoint() == ConnectorRequest.Endpoint.RESPONSES).toList();
    }

    private DiscordMessage awaitDiscord(String prefix) {
        return Await.value("a Discord line starting " + prefix, WAIT, () -> bed.discord.messages().stream()
                .filter(m -> m.content().startsWith(prefix)).findFirst().orElse(null));
    }

    @Test
    void anEndedCallGetsTheSchemasFieldsStoredAndPostedUnderItsEndNotice() {
        startWorker(Map.of());
        String callId = bed.placeCall(conversation());

        CallSummary summary = awaitSummary(callId, CallSummary.Status.DONE, WAIT);

        assertThat(summary.model()).isEqualTo(MODEL);
        assertThat(summary.attempts()).isEqualTo(1);
        assertThat(summary.at()).isAfterOrEqualTo(bed.call(callId).endedAt());
        CallSummary.Fields fields = summary.fields();
        assertThat(fields.reason()).isEqualTo("My order 4411 never arrived, please call me back tomorrow.");
        assertThat(fields.summary()).contains("My order 4411 never arrived").contains("someone will call you back tomorrow");
        assertThat(fields.outcome()).isEqualTo("resolved");
        assertThat(fields.followUpNeeded()).isTrue();
        assertThat(fields.followUp()).isNotBlank();
        assertThat(fields.sentiment()).isEqualTo("positive");

        JsonNode request = responsesRequests().getFirst().json();
        assertThat(request.path("model").asText()).isEqualTo(MODEL);
        assertThat(request.path("store").asBoolean(true)).isFalse();
        assertThat(request.path("max_output_tokens").asInt()).isEqualTo(1_000);
        JsonNode format = request.path("text").path("format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("strict").asBoolean()).isTrue();
        assertThat(format.path("schema").path("required").findValuesAsText("required")).isEmpty();
        assertThat(format.path("schema").path("required")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("summary", "reason", "outcome", "follow_up_needed", "follow_up", "sentiment");
        assertThat(request.path("input").asText()).contains("Agent: Hello, thanks for calling Acme.\n"
                + "Caller: My order 4411 never arrived, please call me back tomorrow.\n");

        DiscordMessage end = awaitDiscord("📴 Call ended");
        DiscordMessage posted = awaitDiscord("📝 Summary:");
        assertThat(bed.discord.messages().indexOf(posted)).isGreaterThan(bed.discord.messages().indexOf(end));
        assertThat(posted.content()).contains("Follow-up: Call the caller back.").contains("Sentiment: positive");
    }

    @Test
    void aSlowResponsesApiDelaysNeitherTheEndNorItsNoticeAndTheSummaryFollows() {
        bed.sim.faultResponses(0, Duration.ofSeconds(4));
        startWorker(Map.of());
        String callId = bed.placeCall(conversation());

        CallRecord ended = bed.awaitStatus(callId, CallStatus.ENDED);
        DiscordMessage end = awaitDiscord("📴 Call ended");
        Await.until("the summary request is in flight", WAIT, () -> !responsesRequests().isEmpty());
        // the model is still thinking, and the end was stored and announced at once
        assertThat(bed.call(callId).summary().status()).isEqualTo(CallSummary.Status.PENDING);
        assertThat(Duration.between(ended.endedAt(), end.receivedAt())).isLessThan(Duration.ofSeconds(3));

        CallSummary summary = awaitSummary(callId, CallSummary.Status.DONE, WAIT);
        assertThat(Duration.between(end.receivedAt(), summary.at())).isGreaterThan(Duration.ofSeconds(2));
        assertThat(summary.fields().reason()).startsWith("My order 4411");
        awaitDiscord("📝 Summary:");
    }

    @Test
    void aResponsesApiFailingForAWhileIsRetriedWithBackoffUntilTheSummaryIsMade() {
        bed.sim.faultResponses(500, Duration.ZERO);
        startWorker(Map.of("SUMMARY_RETRY_MS", "60000"));
        String callId = bed.placeCall(conversation());
        bed.awaitStatus(callId, CallStatus.ENDED);
        Await.until("two refused attempts", LONG_WAIT, () -> responsesRequests().stream()
                .filter(r -> r.status() == 500).count() >= 2);
        assertThat(bed.call(callId).summary().status()).isEqualTo(CallSummary.Status.PENDING);

        bed.sim.faultResponses(0, Duration.ZERO);

        CallSummary summary = awaitSummary(callId, CallSummary.Status.DONE, LONG_WAIT);
        assertThat(summary.attempts()).isGreaterThanOrEqualTo(3);
        assertThat(bed.logs()).contains("call summary retried").doesNotContain(TestBed.API_KEY);
    }

    @Test
    void aResponsesApiThatKeepsFailingLeavesTheCallEndedAndTheSummaryMarkedFailed() {
        bed.sim.faultResponses(500, Duration.ZERO);
        startWorker(Map.of("SUMMARY_RETRY_MS", "2000"));
        String callId = bed.placeCall(conversation());

        CallSummary summary = awaitSummary(callId, CallSummary.Status.FAILED, WAIT);

        assertThat(summary.error()).startsWith("gave_up: status_500");
        assertThat(summary.fields()).isNull();
        assertThat(summary.attempts()).isGreaterThanOrEqualTo(2);
        CallRecord call = bed.call(callId);
        assertThat(call.status()).isEqualTo(CallStatus.ENDED);
        assertThat(call.endReason()).isEqualTo("caller_hangup");
        DiscordMessage end = awaitDiscord("📴 Call ended");
        DiscordMessage none = awaitDiscord("📝 No summary for this call (failed: gave_up: status_500");
        assertThat(bed.discord.messages().indexOf(none)).isGreaterThan(bed.discord.messages().indexOf(end));
        assertThat(bed.logs()).contains("call summary failed");
    }

    @Test
    void aRefusedRequestIsNotRetried() {
        bed.sim.faultResponses(400, Duration.ZERO);
        startWorker(Map.of("SUMMARY_RETRY_MS", "60000"));
        String callId = bed.placeCall(conversation());

        CallSummary summary = awaitSummary(callId, CallSummary.Status.FAILED, WAIT);

        assertThat(summary.error()).startsWith("status_400");
        assertThat(summary.attempts()).isEqualTo(1);
        assertThat(responsesRequests()).hasSize(1);
    }

    @Test
    void aCallWithNothingSaidIsSkippedWithoutAskingTheModel() {
        startWorker(Map.of("WELCOME_MESSAGE", ""));
        String callId = bed.placeCall(Scenario.of("silent", Step.hangup(true)));

        CallSummary summary = awaitSummary(callId, CallSummary.Status.SKIPPED, WAIT);

        assertThat(summary.error()).isEqualTo("no_transcript");
        assertThat(responsesRequests()).isEmpty();
    }

    @Test
    void aLongTranscriptIsCutToTheConfiguredSizeKeepingItsStartAndEnd() {
        startWorker(Map.of("SUMMARY_MAX_TRANSCRIPT_CHARS", "600"));
        String filler = "and then some more about the weather ".repeat(20);
        String callId = bed.placeCall(Scenario.of("long",
                Step.await(AwaitTarget.GREETING),
                Step.caller("I need a new card."),
                Step.agent(filler),
                Step.caller(filler),
                Step.agent("Your new card is on its way."),
                Step.hangup(true)));

        awaitSummary(callId, CallSummary.Status.DONE, WAIT);

        String input = responsesRequests().getFirst().json().path("input").asText();
        String transcript = input.substring(input.indexOf("Transcript:\n") + "Transcript:\n".length());
        assertThat(transcript.length()).isLessThanOrEqualTo(600);
        assertThat(transcript).contains("Caller: I need a new card.").contains("the middle was left out")
                .endsWith("Agent: Your new card is on its way.\n");
    }

    @Test
    void callEndedWaitsForTheSummaryAndCarriesIt() {
        receiver = CallEventReceiver.start(callEventsSecret());
        bed.sim.faultResponses(0, Duration.ofSeconds(2));
        startWorker(callEventsEnv(Map.of()));
        String callId = bed.placeCall(conversation());

        Await.until("call.ended accepted", LONG_WAIT, () -> receiver.accepted(callId, "call.ended").size() == 1);

        JsonNode summary = receiver.accepted(callId, "call.ended").getFirst().body().path("data").path("summary");
        assertThat(summary.path("status").asText()).isEqualTo("done");
        assertThat(summary.path("reason").asText()).startsWith("My order 4411");
        assertThat(summary.path("follow_up_needed").asBoolean()).isTrue();
        assertThat(summary.path("sentiment").asText()).isEqualTo("positive");
        assertThat(summary.path("outcome").asText()).isEqualTo("resolved");
        assertThat(summary.path("model").asText()).isEqualTo(MODEL);
        assertThat(receiver.deliveries(callId)).allMatch(CallEventReceiver.Delivery::verified);
    }

    @Test
    void callEndedGoesWithAPendingSummaryOnceItsWaitIsOver() {
        receiver = CallEventReceiver.start(callEventsSecret());
        bed.sim.faultResponses(0, Duration.ofSeconds(8));
        startWorker(callEventsEnv(Map.of("SUMMARY_EVENT_WAIT_MS", "1000")));
        String callId = bed.placeCall(conversation());

        Await.until("call.ended accepted", LONG_WAIT, () -> receiver.accepted(callId, "call.ended").size() == 1);

        JsonNode summary = receiver.accepted(callId, "call.ended").getFirst().body().path("data").path("summary");
        assertThat(summary.path("status").asText()).isEqualTo("pending");
        assertThat(summary.has("reason")).isFalse();
    }

    @Test
    void summariesLeftBehindAreMadeByTheRecoverySweepAndLiveClaimsAreLeftAlone() {
        SessionWorker worker = startWorker(Map.of());
        CallSummaryStore summaries = new CallSummaryStore(bed.store.client(), bed.store.tableName());
        Instant longAgo = Instant.now().minus(Duration.ofMinutes(5));
        String neverClaimed = endedCall(longAgo);
        String deadWorkers = endedCall(longAgo);
        assertThat(summaries.claim(deadWorkers, "dead-worker", MODEL, longAgo, Duration.ofSeconds(30))).isTrue();
        String claimedNow = endedCall(longAgo);
        assertThat(summaries.claim(claimedNow, "busy-worker", MODEL, Instant.now(), Duration.ofMinutes(10))).isTrue();
        String justEnded = endedCall(Instant.now());

        int found = worker.summarySweepNow();

        assertThat(found).isEqualTo(2);
        assertThat(awaitSummary(neverClaimed, CallSummary.Status.DONE, WAIT).fields().reason()).isEqualTo("Is the shop open?");
        assertThat(awaitSummary(deadWorkers, CallSummary.Status.DONE, WAIT).fields().reason()).isEqualTo("Is the shop open?");
        assertThat(bed.call(claimedNow).summary().status()).isEqualTo(CallSummary.Status.PENDING);
        assertThat(bed.call(justEnded).summary()).isNull();
        assertThat(worker.summarySweepNow()).isZero();
    }

    /** A call a worker no longer around hosted: two turns stored, ended at {@code at}. */
    private String endedCall(Instant at) {
        String callId = bed.sim.newCall();
        bed.recordQueued(callId, TestBed.CALLER, TestBed.CALLED, null, null);
        bed.store.appendTurn(callId, Turn.Speaker.CALLER, "Is the shop open?", "item_c", at.minusSeconds(20));
        bed.store.appendTurn(callId, Turn.Speaker.AGENT, "Yes, until six.", "item_a", at.minusSeconds(10));
        assertThat(bed.store.markEnded(callId, "caller_hangup", at)).isTrue();
        return callId;
    }

    private String secret;

    private String callEventsSecret() {
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        return secret;
    }

    private Map<String, String> callEventsEnv(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("CALL_EVENTS_URL", receiver.url());
        env.put("CALL_EVENTS_SECRET", secret);
        env.put("CALL_EVENTS_QUEUE_URL", bed.aws.callEventsQueueUrl());
        env.put("CALL_EVENTS_RETRY_BASE_MS", "1000");
        env.put("CALL_EVENTS_RETRY_MAX_MS", "1000");
        env.put("CALL_EVENTS_QUEUE_WAIT_SECONDS", "1");
        return env;
    }
}
