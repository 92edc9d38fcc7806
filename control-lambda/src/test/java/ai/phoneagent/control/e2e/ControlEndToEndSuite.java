package ai.phoneagent.control.e2e;

import static ai.phoneagent.control.e2e.E2eBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandStatus;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.CommandType;
import ai.phoneagent.command.ControlMessage;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.command.Nudge;
import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.control.Events;
import ai.phoneagent.control.TestConfigs;
import ai.phoneagent.control.TwilioSigner;
import ai.phoneagent.control.e2e.E2eBed.Reply;
import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.CallVerb;
import ai.phoneagent.simulator.CallsAnswer;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.twilio.TwilioRequest;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.TestKeys;
import ai.phoneagent.worker.SessionWorker;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Operator commands end to end: the real control handler → DynamoDB → the call's own SQS control queue → a real
 * session worker in this JVM → the connector simulator's Calls API and WebSocket, and fake Twilio through
 * twilio-java; plus Twilio's signed status callback completing a warm transfer, and the sweeps that clean up after
 * workers that died. Synchronisation is by awaiting observable state with deadlines, never by sleeping.
 */
abstract class ControlEndToEndSuite {
    static final String HUMAN_NUMBER = "+15551230000";
    static final String SALES_URI = "tel:+15551230001";

    /** Where SQS and DynamoDB answer. */
    abstract AwsBackend backend();

    E2eBed bed;
    /** Waits up to 5 s for the worker (the default). */
    ControlHandler control;

    @BeforeEach
    void startBed() {
        bed = new E2eBed(backend());
        control = bed.control(Map.of());
    }

    @AfterEach
    void nothingSecretLeaves() {
        try {
            String logs = bed.logs();
            assertThat(TestKeys.containsSecret(logs)).as("log output contains a secret").isFalse();
            assertThat(logs).doesNotContain(E2eBed.CALL_TOKEN);
            for (String body : bed.responses()) {
                assertThat(TestKeys.containsSecret(body)).as("response contains a secret: %s", body).isFalse();
                assertThat(body).doesNotContain(E2eBed.CALL_TOKEN).doesNotContain(HUMAN_NUMBER)
                        .doesNotContain("Exception");
            }
        } finally {
            bed.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private Reply post(ControlHandler handler, String callId, String verb, String json, String idempotencyKey) {
        var event = Events.request("POST", "/control/calls/" + callId + "/" + verb).bearer(TestKeys.CONTROL_API_TOKEN)
                .json(json);
        if (idempotencyKey != null) {
            event.header("idempotency-key", idempotencyKey);
        }
        return bed.send(handler, event.build());
    }

    private Reply getCommand(String callId, String commandId) {
        return bed.send(control, Events.request("GET", "/control/calls/" + callId + "/commands/" + commandId)
                .bearer(TestKeys.CONTROL_API_TOKEN).build());
    }

    private static void assertDone(Reply reply) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        assertThat(reply.body().path("ok").asBoolean()).isTrue();
        assertThat(reply.body().path("status").asText()).isEqualTo("done");
        assertThat(reply.body().path("command_id").asText()).startsWith("cmd_");
    }

    private List<ConnectorRequest> hangups(String callId) {
        return bed.sim.requests(callId).stream().filter(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP).toList();
    }

    private List<String> systemTexts(String callId) {
        return bed.sim.clientEvents(callId).stream().filter(AwaitTarget.SYSTEM_MESSAGE::matches)
                .map(e -> e.path("item").path("content").path(0).path("text").asText()).toList();
    }

    private CallEvent event(String callId, String kind) {
        return Await.value("event " + kind, WAIT, () -> bed.store.events(callId, null, 100).items().stream()
                .filter(e -> e.kind().equals(kind)).findFirst().orElse(null));
    }

    /** A Twilio status callback signed with {@code authToken} for exactly {@code url} (the URL Twilio requests). */
    private APIGatewayV2HTTPEvent twilioCallback(String url, Map<String, String> params, String authToken) {
        String query = url.substring(url.indexOf('?') + 1);
        return Events.request("POST", "/twilio/conference-events").query(query)
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .header("X-Twilio-Signature", TwilioSigner.sign(authToken, url, params))
                .base64Body(TwilioSigner.form(params).getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /** The human participant's call-progress callback as Twilio sends it. */
    private static Map<String, String> humanLeg(String participantCallSid, String callStatus) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("AccountSid", TestKeys.TWILIO_ACCOUNT_SID);
        params.put("ApiVersion", "2010-04-01");
        params.put("CallSid", participantCallSid);
        params.put("CallStatus", callStatus);
        params.put("CallbackSource", "call-progress-events");
        params.put("Direction", "outbound-api");
        params.put("From", "+14255551212");
        params.put("To", HUMAN_NUMBER);
        params.put("Timestamp", "Tue, 24 Nov 2026 10:00:05 +0000");
        return params;
    }

    private static <T> List<T> concurrently(int n, Callable<T> task) {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(task));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ hangup

    @Test
    void hangupEndsTheCallAtTheConnectorAndAnswersDone() {
        SessionWorker worker = bed.startWorker(Map.of());
        String callId = bed.placeCall();
        bed.awaitControlReady(callId);
        assertThat(bed.sim.call(callId).connected()).isTrue();
        assertThat(bed.queues.find(callId)).as("no queue before the call's first command").isEmpty();

        Reply reply = post(control, callId, "hangup", "{}", null);

        assertDone(reply);
        assertThat(reply.body().at("/result/reason").asText()).isEqualTo("operator_hangup");
        assertThat(reply.body().at("/result/executedBy").asText()).as("sent to OpenAI by the control side itself")
                .isEqualTo("control");
        assertThat(hangups(callId)).singleElement().satisfies(r -> assertThat(r.authorized()).isTrue());
        assertThat(bed.sim.awaitCall(callId, c -> c.ended() && !c.connected(), WAIT).ended()).isTrue();
        CallRecord ended = Await.value("call ended", WAIT, () -> bed.store.get(callId)
                .filter(c -> c.status() == CallStatus.ENDED).orElse(null));
        assertThat(ended.endReason()).as("stored by the owner, with the hang-up's reason").isEqualTo("operator_hangup");
        Await.until("the worker lets the call go", WAIT, () -> worker.activeCalls() == 0);
        assertThat(bed.logs().lines().filter(l -> l.contains("\"msg\":\"call ended\"") && l.contains(callId)))
                .singleElement().satisfies(l -> assertThat(l).contains("\"reason\":\"operator_hangup\""));
        assertThat(bed.logs().lines()).as("the owner stored the end itself").noneMatch(l -> l.contains(callId)
                && l.contains("did not store the end of the hang-up"));
        assertThat(bed.queues.find(callId)).as("a hang-up makes no control queue").isEmpty();
        // (unless its re-attach happened to learn the end first, the owner ended the call from this word)
        assertThat(bed.logs().lines()).as("the owner was told").anyMatch(l -> l.contains(callId)
                && (l.contains("control side's hang-up taken by OpenAI") || l.contains("not hosted here dropped")));

        String commandId = reply.body().path("command_id").asText();
        Reply state = getCommand(callId, commandId);
        assertThat(state.body().path("status").asText()).isEqualTo("done");
        CallEvent recorded = event(callId, "command");
        assertThat(recorded.details().path("commandId").asText()).isEqualTo(commandId);
        assertThat(recorded.details().path("type").asText()).isEqualTo("hangup");
        assertThat(recorded.details().path("outcome").asText()).isEqualTo("done");

        Reply late = post(control, callId, "hangup", "{}", null);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.code()).isEqualTo("call_ended");
        assertThat(hangups(callId)).hasSize(1);
    }

    // ------------------------------------------------------------------ transfer

    @Test
    void warmTransferDialsTheHumanOnceAndTheHumansSignedAnswerEndsTheAiLeg() {
        bed.startWorker(Map.of());
        String callId = bed.placeCall();
        bed.awaitControlReady(callId);
        String key = "transfer-" + callId;
        String body = "{\"message\":\"Connecting you to our team now.\"}";

        // a client retrying at once with the same Idempotency-Key: one command, one dial
        List<Reply> replies = concurrently(3, () -> post(control, callId, "transfer", body, key));
        replies.forEach(ControlEndToEndSuite::assertDone);
        assertThat(replies).extracting(r -> r.body().path("command_id").asText()).containsOnly(
                replies.getFirst().body().path("command_id").asText());
        JsonNode result = replies.getFirst().body().path("result");
        assertThat(result.path("target").asText()).isEqualTo("human");
        assertThat(result.path("mode").asText()).isEqualTo("warm");

        assertThat(bed.twilio.participantCreations()).hasSize(1);
        TwilioRequest create = bed.twilio.participantCreations().getFirst();
        assertThat(create.authAccountSid()).isEqualTo(TestKeys.TWILIO_ACCOUNT_SID);
        assertThat(create.path()).endsWith("/Conferences/" + E2eBed.conferenceOf(callId) + "/Participants.json");
        assertThat(create.param("From")).isEqualTo("+14255551212");
        assertThat(create.param("To")).isEqualTo(HUMAN_NUMBER);
        assertThat(create.param("Label")).isEqualTo(TestConfigs.HUMAN_LABEL);
        assertThat(create.param("CallToken")).isEqualTo(E2eBed.CALL_TOKEN);
        assertThat(create.param("EarlyMedia")).isEqualTo("true");
        String statusCallback = create.param("StatusCallback");
        assertThat(statusCallback).isEqualTo(TestConfigs.CALLBACK_URL + "?callId=" + callId + "&leg=human");
        assertThat(create.params("StatusCallbackEvent")).contains("answered");
        // not silent: the agent tells the caller first
        Await.until("the operator's words reach the agent", WAIT, () -> systemTexts(callId).stream()
                .anyMatch(t -> t.contains("Connecting you to our team now.")));
        bed.sim.awaitClientEvent(callId, e -> e.path("type").asText().equals("response.create")
                && !AwaitTarget.GREETING.matches(e), WAIT);

        Reply later = post(control, callId, "transfer", body, key);
        assertDone(later);
        assertThat(later.headers()).containsEntry("idempotent-replayed", "true");
        assertThat(bed.twilio.participantCreations()).as("a retry never dials a second time").hasSize(1);

        String humanCallSid = event(callId, "transfer").details().path("reference").asText();
        assertThat(humanCallSid).startsWith("CA");

        // forged (wrong key) and not-yet-answered callbacks change nothing
        Reply forged = bed.send(control, twilioCallback(statusCallback, humanLeg(humanCallSid, "in-progress"),
                "not-the-auth-token"));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.code()).isEqualTo("forbidden");
        Reply ringing = bed.send(control, twilioCallback(statusCallback, humanLeg(humanCallSid, "ringing"),
                TestKeys.TWILIO_AUTH_TOKEN));
        assertThat(ringing.status()).isEqualTo(204);
        assertThat(hangups(callId)).isEmpty();
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(bed.sim.call(callId).connected()).isTrue();

        // the human answered: the AI leg hangs up
        Reply answered = bed.send(control, twilioCallback(statusCallback, humanLeg(humanCallSid, "in-progress"),
                TestKeys.TWILIO_AUTH_TOKEN));
        assertThat(answered.status()).isEqualTo(204);
        CallRecord ended = Await.value("AI leg ended", WAIT, () -> bed.store.get(callId)
                .filter(c -> c.status() == CallStatus.ENDED).orElse(null));
        assertThat(ended.endReason()).isEqualTo("warm_transfer_complete");
        assertThat(hangups(callId)).hasSize(1);
        assertThat(bed.sim.awaitCall(callId, c -> c.ended() && !c.connected(), WAIT).ended()).isTrue();
        String hangupId = event(callId, "transfer_human_joined").details().path("commandId").asText();
        assertThat(bed.commands.get(callId, hangupId)).hasValueSatisfying(c -> {
            assertThat(c.status()).isEqualTo(CommandStatus.DONE);
            assertThat(c.args().path("reason").asText()).isEqualTo("warm_transfer_complete");
        });
        Await.until("control queue deleted", WAIT, () -> bed.queues.find(callId).isEmpty());
        // Twilio repeating the callback after the end changes nothing
        assertThat(bed.send(control, twilioCallback(statusCallback, humanLeg(humanCallSid, "in-progress"),
                TestKeys.TWILIO_AUTH_TOKEN)).status()).isEqualTo(204);
        assertThat(hangups(callId)).hasSize(1);
    }

    @Test
    void coldTransferRefersTheCallToTheAllowListedTargetSilently() {
        bed.startWorker(Map.of());
        String callId = bed.placeCall();
        bed.awaitControlReady(callId);

        Reply reply = post(control, callId, "transfer", "{\"target\":\"sales\",\"silent\":true}", null);

        assertDone(reply);
        assertThat(reply.body().at("/result/target").asText()).isEqualTo("sales");
        assertThat(reply.body().at("/result/mode").asText()).isEqualTo("cold");
        ConnectorRequest refer = bed.sim.awaitRequest(callId, ConnectorRequest.Endpoint.REFER, WAIT);
        assertThat(refer.json().path("target_uri").asText()).isEqualTo(SALES_URI);
        assertThat(bed.sim.call(callId).referTargets()).containsExactly(SALES_URI);
        assertThat(bed.twilio.requests()).isEmpty();
        assertThat(systemTexts(callId)).as("silent: nothing said first").isEmpty();

        Reply unknown = post(control, callId, "transfer", "{\"target\":\"+19005550199\"}", null);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.code()).isEqualTo("invalid_transfer_target");
        assertThat(bed.sim.call(callId).referTargets()).hasSize(1);
    }

    // ------------------------------------------------------------------ instructions

    @Test
    void instructionsReachTheWebSocketAsSystemMessagesAndRespondAsksForAnAnswer() {
        bed.startWorker(Map.of());
        String callId = bed.placeCall();
        bed.awaitControlReady(callId);

        assertDone(post(control, callId, "instructions", "{\"text\":\"Offer a callback tomorrow.\",\"respond\":true}", null));
        assertDone(post(control, callId, "instructions", "{\"text\":\"Keep it short.\"}", null));
        Reply last = post(control, callId, "instructions", "{\"text\":\"Mention the survey.\",\"respond\":true}", null);
        assertDone(last);
        assertThat(last.body().at("/result/respond").asBoolean()).isTrue();

        Await.until("the last answer requested", WAIT, () -> {
            List<JsonNode> events = bed.sim.clientEvents(callId);
            return !events.isEmpty() && events.getLast().path("type").asText().equals("response.create")
                    && systemTexts(callId).size() == 3;
        });
        List<String> sequence = bed.sim.clientEvents(callId).stream()
                .map(e -> AwaitTarget.SYSTEM_MESSAGE.matches(e)
                        ? "system: " + e.path("item").path("content").path(0).path("text").asText()
                                + " (" + e.path("item").path("content").path(0).path("type").asText() + ")"
                        : AwaitTarget.GREETING.matches(e) ? "greeting" : e.path("type").asText())
                .toList();
        assertThat(sequence).containsExactly(
                "greeting",
                "system: Offer a callback tomorrow. (input_text)",
                "response.create",
                "system: Keep it short. (input_text)",
                "system: Mention the survey. (input_text)",
                "response.create");
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ATTACHED);
    }

    // ------------------------------------------------------------------ a worker that died

    @Test
    void aCommandForACallWhoseWorkerDiedIsAcceptedAndRunsExactlyOnceWhenAnotherWorkerTakesTheCall() {
        SessionWorker dead = bed.startWorker(Map.of("SWEEP_INTERVAL_MS", "0"));
        String callId = bed.placeCall();
        String queueUrl = bed.awaitControlReady(callId);
        dead.halt(); // killed: no hand-off, the lease just stops being renewed, the queue stays
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ATTACHED);

        ControlHandler impatient = bed.control(Map.of("CONTROL_ACK_TIMEOUT_MS", "300"));
        String key = "crash-" + callId;
        Reply accepted = post(impatient, callId, "transfer", "{}", key);
        assertThat(accepted.status()).as(accepted.raw()).isEqualTo(202);
        assertThat(accepted.body().path("status").asText()).isEqualTo("pending");
        String commandId = accepted.body().path("command_id").asText();
        assertThat(accepted.headers()).containsEntry("location", "/control/calls/" + callId + "/commands/" + commandId);
        Reply retried = post(impatient, callId, "transfer", "{}", key);
        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.body().path("command_id").asText()).isEqualTo(commandId);
        assertThat(bed.depth(queueUrl)).as("the retry sent nothing").isEqualTo(1);
        assertThat(bed.twilio.requests()).isEmpty();

        // another worker's sweep finds the lapsed lease, orphans the call and re-enqueues it; that worker re-attaches
        SessionWorker survivor = bed.startWorker(Map.of());
        Await.until("the command ran", WAIT, () -> getCommand(callId, commandId).body().path("status").asText()
                .equals("done"));
        CallRecord call = bed.call(callId);
        assertThat(call.status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(call.owner()).isEqualTo(survivor.workerId());
        assertThat(call.controlQueueUrl()).isEqualTo(queueUrl);
        assertThat(bed.sim.call(callId).attachCount()).isEqualTo(2);
        assertThat(bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count())
                .as("no second greeting").isEqualTo(1);
        assertThat(bed.twilio.participantCreations()).hasSize(1);

        Reply replay = post(control, callId, "transfer", "{}", key);
        assertDone(replay);
        assertThat(replay.body().path("command_id").asText()).isEqualTo(commandId);
        assertThat(replay.headers()).containsEntry("idempotent-replayed", "true");
        Await.until("the queue is empty", WAIT, () -> bed.depth(queueUrl) == 0);
        assertThat(bed.twilio.participantCreations()).as("dialled exactly once").hasSize(1);
        assertThat(bed.store.events(callId, null, 100).items().stream()
                .filter(e -> e.kind().equals("command")).count()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ calls no worker holds

    @Test
    void hangupOfACallNoWorkerHasAttachedIsDoneByTheControlSideAtTheConnector() {
        String callId = bed.placeCall(); // queued; no worker runs
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.QUEUED);

        Reply reply = post(control, callId, "hangup", "{}", null);

        assertDone(reply);
        assertThat(reply.body().at("/result/executedBy").asText()).isEqualTo("control");
        assertThat(hangups(callId)).singleElement().satisfies(r -> assertThat(r.authorized()).isTrue());
        CallRecord ended = bed.call(callId);
        assertThat(ended.status()).isEqualTo(CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("operator_hangup");
        assertThat(bed.sim.call(callId).ended()).isTrue();
        Reply late = post(control, callId, "hangup", "{}", null);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.code()).isEqualTo("call_ended");
    }

    @Test
    void hangupOfACallWhoseWorkerDiedIsEndedByTheControlSideWhenNoOwnerStoresTheEndWithinTheAckWindow() {
        SessionWorker dead = bed.startWorker(Map.of("SWEEP_INTERVAL_MS", "0"));
        String callId = bed.placeCall();
        bed.awaitControlReady(callId);
        dead.halt(); // killed: the call still points at it, nobody will store its end
        ControlHandler impatient = bed.control(Map.of("CONTROL_ACK_TIMEOUT_MS", "300"));

        Reply reply = post(impatient, callId, "hangup", "{\"reason\":\"stuck_call_cleanup\"}", null);

        assertDone(reply);
        assertThat(reply.body().at("/result/executedBy").asText()).isEqualTo("control");
        assertThat(hangups(callId)).hasSize(1);
        CallRecord ended = bed.call(callId);
        assertThat(ended.status()).isEqualTo(CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("stuck_call_cleanup");
        assertThat(bed.queues.find(callId)).as("nothing was sent towards the dead worker").isEmpty();
        assertThat(bed.logs()).contains("did not store the end of the hang-up");
        String commandId = reply.body().path("command_id").asText();
        assertThat(bed.commands.get(callId, commandId).orElseThrow().status().name()).isEqualTo("DONE");
    }

    @Test
    void hangupOfACallWhoseWorkerJustDiedIsDoneByTheControlSideOnceItsHeartbeatIsLateBeforeTheAckWindowEnds() {
        SessionWorker dead = bed.startWorker(Map.of("SWEEP_INTERVAL_MS", "0"));
        String callId = bed.placeCall();
        bed.awaitControlReady(callId);
        dead.halt(); // kill -9 a moment before the operator's request: its last beat is still fresh
        ControlHandler patient = bed.control(Map.of("CONTROL_ACK_TIMEOUT_MS", "6000"));

        long start = System.nanoTime();
        Reply reply = post(patient, callId, "hangup", "{}", null);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertDone(reply);
        assertThat(reply.body().at("/result/executedBy").asText()).isEqualTo("control");
        assertThat(took).as("stopped waiting once the owner missed its beats").isLessThan(Duration.ofMillis(6000));
        assertThat(hangups(callId)).hasSize(1);
        assertThat(bed.call(callId).endReason()).isEqualTo("operator_hangup");
        assertThat(bed.logs()).contains("\"owner_gone\":true");
    }

    @Test
    void withNoAckWindowAHangupIsStillSentAtOnceAndTheLiveOwnerStoresTheEnd() {
        SessionWorker owner = bed.startWorker(Map.of());
        String callId = bed.placeCall();
        bed.awaitControlReady(callId);
        ControlHandler instant = bed.control(Map.of("CONTROL_ACK_TIMEOUT_MS", "0"));

        Reply reply = post(instant, callId, "hangup", "{\"reason\":\"spam_caller\"}", null);

        assertDone(reply);
        assertThat(reply.body().at("/result/executedBy").asText()).isEqualTo("control");
        assertThat(hangups(callId)).hasSize(1);
        assertEndedAs(callId, "spam_caller", owner);
    }

    @Test
    void aControlSideWithoutAnOpenAiKeyLeavesTheHangupToTheOwner() {
        SessionWorker owner = bed.startWorker(Map.of());
        String callId = bed.placeCall();
        bed.awaitControlReady(callId);
        Map<String, String> noKey = new HashMap<>();
        noKey.put("OPENAI_API_KEY", null);
        ControlHandler keyless = bed.control(noKey);

        Reply reply = post(keyless, callId, "hangup", "{}", null);

        assertDone(reply);
        assertThat(reply.body().at("/result/executedBy").asText()).isNotEqualTo("control");
        assertThat(bed.commands.get(callId, reply.body().path("command_id").asText()).orElseThrow().status().name())
                .isEqualTo("DONE");
        assertThat(hangups(callId)).hasSize(1);
        assertEndedAs(callId, "operator_hangup", owner);
    }

    @Test
    void aRetryOfAHangupWhoseRequestDiedBeforeOpenAiAnsweredAsksAgainAndTheEndKeepsItsReason() {
        SessionWorker owner = bed.startWorker(Map.of());
        String callId = bed.placeCall();
        bed.awaitControlReady(callId);
        // the first request stored its hang-up (taken, the call marked) 40 s ago and died before asking OpenAI
        Instant then = Instant.now().minusSeconds(40);
        Command stranded = Command.pending(callId, "cmd_stranded0000000000000000", CommandType.HANGUP,
                Json.object().put("reason", "spam_caller"), "retry-key", then);
        assertThat(bed.commands.createTaken(stranded, "control",
                bed.store.controlHangupMark(callId, stranded.commandId(), "spam_caller", then)))
                .isInstanceOf(CommandStore.Taking.Stored.class);
        assertThat(hangups(callId)).isEmpty();

        Reply reply = post(control, callId, "hangup", "{\"reason\":\"spam_caller\"}", "retry-key");

        assertDone(reply);
        assertThat(reply.body().path("command_id").asText()).isEqualTo(stranded.commandId());
        assertThat(hangups(callId)).hasSize(1);
        assertEndedAs(callId, "spam_caller", owner);
        assertThat(bed.logs()).contains("hang-up left pending by a request that died");
    }

    @Test
    void aHangupOpenAiRefusesFailsAndTheCallsLaterEndIsStoredAsWhatItWas() {
        SessionWorker owner = bed.startWorker(Map.of());
        String callId = bed.placeCall();
        bed.awaitControlReady(callId);
        bed.sim.answer(callId, CallVerb.HANGUP, CallsAnswer.badRequest("hang-up not allowed now"));

        Reply reply = post(control, callId, "hangup", "{}", null);

        assertThat(reply.status()).as(reply.raw()).isEqualTo(502);
        assertThat(reply.code()).isEqualTo("upstream_error");
        assertThat(bed.call(callId).status()).as("still live: OpenAI kept it").isNotEqualTo(CallStatus.ENDED);
        assertThat(bed.sim.call(callId).connected()).isTrue();

        bed.sim.hangup(callId, true); // the caller hangs up later
        assertEndedAs(callId, "caller_hangup", owner);
    }

    /** Waits until the call is stored {@code ENDED}, checks its reason, and waits for its worker to let it go. */
    private void assertEndedAs(String callId, String reason, SessionWorker owner) {
        Await.until("the call ended", WAIT, () -> bed.call(callId).status() == CallStatus.ENDED);
        assertThat(bed.call(callId).endReason()).isEqualTo(reason);
        Await.until("the worker lets the call go", WAIT, () -> owner.activeCalls() == 0);
    }

    /** Points the call at {@code owner} (no worker process behind it) with a control queue; the queue's URL. */
    private String attachedTo(String callId, String owner) {
        assertThat(bed.store.claimOwnership(callId, owner, Instant.now())).isPresent();
        String queueUrl = bed.queues.create(callId);
        assertThat(bed.store.recordControlQueue(callId, queueUrl, Instant.now())).isTrue();
        return queueUrl;
    }

    @Test
    void withNoAckWindowAHangupOfACallWhoseOwnerHasNoHeartbeatIsDoneByTheControlSideAtOnce() {
        String callId = bed.placeCall();
        String queueUrl = attachedTo(callId, "worker-that-never-beat");
        ControlHandler instant = bed.control(Map.of("CONTROL_ACK_TIMEOUT_MS", "0"));

        Reply reply = post(instant, callId, "hangup", "{}", null);

        assertDone(reply);
        assertThat(reply.body().at("/result/executedBy").asText()).isEqualTo("control");
        assertThat(bed.depth(queueUrl)).as("nothing sent to a worker that is gone").isZero();
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ENDED);
    }

    @Test
    void aCommandWhoseNudgeCannotBeSentIsStillAcceptedAndStaysOnTheCallsQueue() {
        String callId = bed.placeCall();
        // attached to a worker that never made a nudge queue: the nudge fails, the command must not
        String owner = "worker-without-nudge-queue";
        String queueUrl = attachedTo(callId, owner);
        ControlHandler impatient = bed.control(Map.of("CONTROL_ACK_TIMEOUT_MS", "300"));

        Reply reply = post(impatient, callId, "instructions", "{\"text\":\"Be brief.\"}", null);

        assertThat(reply.status()).as(reply.raw()).isEqualTo(202);
        assertThat(reply.body().path("status").asText()).isEqualTo("pending");
        assertThat(bed.depth(queueUrl)).as("the command waits on the call's queue for a sweep").isEqualTo(1);
        assertThat(bed.logs().lines().filter(l -> l.contains("worker not nudged")).findFirst()).hasValueSatisfying(
                line -> assertThat(line).contains(callId).contains(bed.queues.nudgeQueueName(owner)).contains("error"));
    }

    @Test
    void theOwnersNudgeCarriesTheCommandItselfAndTheCallsQueueTheSameCopy() {
        String callId = bed.placeCall();
        String owner = "worker-nudged-" + UUID.randomUUID().toString().substring(0, 8);
        String nudgeQueue = bed.queues.createNudgeQueue(owner); // an owner that never reads it
        String queueUrl = attachedTo(callId, owner);
        ControlHandler impatient = bed.control(Map.of("CONTROL_ACK_TIMEOUT_MS", "300"));

        Reply reply = post(impatient, callId, "instructions", "{\"text\":\"Be brief.\"}", null);

        assertThat(reply.status()).as(reply.raw()).isEqualTo(202);
        List<ControlQueues.Received> nudges = bed.queues.receive(nudgeQueue, 10, 1);
        List<ControlQueues.Received> copies = bed.queues.receive(queueUrl, 10, 1);
        assertThat(nudges).hasSize(1);
        assertThat(copies).hasSize(1);
        Nudge nudge = Nudge.parse(nudges.getFirst().body());
        assertThat(nudge.callId()).isEqualTo(callId);
        ControlMessage carried = nudge.command().orElseThrow();
        assertThat(carried).isEqualTo(ControlMessage.parse(copies.getFirst().body()));
        assertThat(carried.commandId()).isEqualTo(reply.body().path("command_id").asText());
        assertThat(carried.args().path("text").asText()).isEqualTo("Be brief.");
    }

    // ------------------------------------------------------------------ sweeps

    @Test
    void controlQueuesLeftByEndedOrUnknownCallsAreSwept() {
        bed.startWorker(Map.of("SWEEP_INTERVAL_MS", "200"));
        String live = bed.placeCall();
        bed.awaitControlReady(live);
        assertDone(post(control, live, "instructions", "{\"text\":\"Still here.\"}", null)); // makes its queue
        String unknown = "rtc_gone" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        assertThat(bed.queues.create(unknown)).as("the stale queue exists until a sweep finds it").isNotBlank();
        String ended = "rtc_ended" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        bed.store.recordIncoming(new IncomingCall(ended, "wh_" + ended, List.of()), Instant.now());
        bed.store.markEnded(ended, "caller_hangup", Instant.now().minusSeconds(60)); // its worker died long ago
        bed.queues.create(ended);
        // no "still present" check here: the 200 ms sweep may already have taken it (a race, not a failure)

        Await.until("stale queues swept", WAIT, () -> bed.queues.find(unknown).isEmpty()
                && bed.queues.find(ended).isEmpty());
        assertThat(bed.queues.find(live)).as("a live call's queue stays").isPresent();
        assertDone(post(control, live, "instructions", "{\"text\":\"Still here.\"}", null));
    }
}
