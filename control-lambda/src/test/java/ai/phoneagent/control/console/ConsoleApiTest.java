package ai.phoneagent.control.console;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.call.SipHeader;
import ai.phoneagent.call.Turn;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.ControlMessage;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.config.Env;
import ai.phoneagent.control.CallSeeder;
import ai.phoneagent.control.ControlConfig;
import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.control.ControlService;
import ai.phoneagent.control.Events;
import ai.phoneagent.control.TestConfigs;
import ai.phoneagent.control.commands.AckWait;
import ai.phoneagent.control.commands.TransferGuard;
import ai.phoneagent.json.Json;
import ai.phoneagent.testing.AwsFixture;
import ai.phoneagent.testing.EmbeddedAws;
import ai.phoneagent.testing.MutableClock;
import ai.phoneagent.testing.TestKeys;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the operator console needs from the control API, against DynamoDB Local and ElasticMQ: incremental reads of a
 * live call, the transfer targets, one transfer at a time, the original API's transfer fields, and recent-call search.
 */
class ConsoleApiTest {
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    private AwsFixture fixture;
    private MutableClock clock;
    private CallStore store;
    private CommandStore commandStore;
    private ControlQueues queues;
    private CallSeeder seeder;
    /** Answers commands at once with 202 pending (no ack wait), so nothing depends on a worker's timing. */
    private ControlHandler handler;

    private record Reply(int status, Map<String, String> headers, JsonNode body) {
        String code() {
            return body.at("/error/code").asText();
        }
    }

    @BeforeEach
    void start() {
        fixture = AwsFixture.on(EmbeddedAws.shared());
        clock = new MutableClock(START);
        store = fixture.callStore();
        commandStore = new CommandStore(fixture.dynamo(), fixture.tableName());
        queues = new ControlQueues(fixture.sqs(), fixture.controlQueuePrefix());
        seeder = new CallSeeder(store, queues);
        Map<String, String> env = new HashMap<>(TestConfigs.baseEnv());
        env.putAll(fixture.env());
        env.put("CONTROL_ACK_TIMEOUT_MS", "0");
        ControlConfig config = ControlConfig.fromEnv(Env.of(env));
        handler = new ControlHandler(new ControlService(config, store, commandStore, queues, clock, AckWait.system()));
    }

    private Reply send(APIGatewayV2HTTPEvent event) {
        var response = handler.handleRequest(event, null);
        String raw = response.getBody() == null || response.getBody().isEmpty() ? "{}" : response.getBody();
        try {
            return new Reply(response.getStatusCode(), response.getHeaders(), Json.parse(raw));
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + raw);
        }
    }

    private static Events.Builder authed(String method, String path) {
        return Events.request(method, path).bearer(TestKeys.CONTROL_API_TOKEN);
    }

    private Reply transfer(String callId, String json, String idempotencyKey) {
        Events.Builder request = authed("POST", "/control/calls/" + callId + "/transfer").json(json);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request.build());
    }

    private List<ControlMessage> drain(String callId) {
        return seeder.drain(callId);
    }

    // ------------------------------------------------------------------ incremental reads

    @Test
    void aLivePageReadsOnlyTheTurnsAndEventsAfterWhatItAlreadyHolds() {
        String callId = seeder.attached(START);
        store.appendTurn(callId, Turn.Speaker.AGENT, "Hello!", "item_a", START);
        store.appendTurn(callId, Turn.Speaker.CALLER, "Hi there", "item_b", START.plusSeconds(1));
        var first = store.appendEvent(callId, "tool_call", Json.object().put("name", "lookup"), START.plusSeconds(2));

        Reply whole = send(authed("GET", "/control/calls/" + callId).build());
        assertThat(whole.body().at("/turns").size()).isEqualTo(2);
        assertThat(whole.body().at("/turnsAfter").asLong()).isEqualTo(1);
        assertThat(whole.body().at("/eventsAfter").asText()).isEqualTo(first.id());

        store.appendTurn(callId, Turn.Speaker.AGENT, "How can I help?", "item_c", START.plusSeconds(3));
        var second = store.appendEvent(callId, "tool_result", Json.object().put("ok", true), START.plusSeconds(4));
        Reply next = send(authed("GET", "/control/calls/" + callId)
                .query("turnsAfter=1&eventsAfter=" + first.id().replace("#", "%23")).build());
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.body().at("/turns").size()).isEqualTo(1);
        assertThat(next.body().at("/turns/0/seq").asLong()).isEqualTo(2);
        assertThat(next.body().at("/turns/0/text").asText()).isEqualTo("How can I help?");
        assertThat(next.body().at("/events").size()).isEqualTo(1);
        assertThat(next.body().at("/events/0/id").asText()).isEqualTo(second.id());
        assertThat(next.body().at("/turnsAfter").asLong()).isEqualTo(2);
        assertThat(next.body().at("/eventsAfter").asText()).isEqualTo(second.id());

        Reply nothingNew = send(authed("GET", "/control/calls/" + callId)
                .query("turnsAfter=2&eventsAfter=" + second.id().replace("#", "%23")).build());
        assertThat(nothingNew.body().at("/turns").size()).isZero();
        assertThat(nothingNew.body().at("/events").size()).isZero();
        assertThat(nothingNew.body().at("/turnsAfter").asLong()).isEqualTo(2);
        assertThat(nothingNew.body().at("/eventsAfter").asText()).isEqualTo(second.id());
        assertThat(nothingNew.body().at("/call/callId").asText()).isEqualTo(callId);
    }

    @Test
    void afterPositionsAreValidatedAndCannotBeMixedWithCursors() {
        String callId = seeder.attached(START);
        for (String query : List.of("turnsAfter=abc", "turnsAfter=-2", "eventsAfter=nope",
                "eventsAfter=123%23abcdef", "turnsAfter=1&turnsCursor=AAAA.BBBB")) {
            Reply reply = send(authed("GET", "/control/calls/" + callId).query(query).build());
            assertThat(reply.status()).as(query).isEqualTo(400);
            assertThat(reply.code()).as(query).isEqualTo("invalid_request");
        }
    }

    // ------------------------------------------------------------------ transfer targets

    @Test
    void theTransferTargetsRouteListsNamesAndModesWithNumbersMasked() {
        Reply reply = send(authed("GET", "/control/transfer-targets").build());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().at("/defaultTarget").asText()).isEqualTo("human");
        JsonNode targets = reply.body().at("/targets");
        assertThat(targets.size()).isEqualTo(2);
        assertThat(targets.get(0).get("name").asText()).isEqualTo("human");
        assertThat(targets.get(0).get("mode").asText()).isEqualTo("warm");
        assertThat(targets.get(0).get("default").asBoolean()).isTrue();
        assertThat(targets.get(0).get("address").asText()).isEqualTo("+•••••••0000");
        assertThat(targets.get(1).get("name").asText()).isEqualTo("sales");
        assertThat(targets.get(1).get("mode").asText()).isEqualTo("cold");
        assertThat(reply.body().toString()).doesNotContain("5551230000").doesNotContain("5551230001");

        Reply anonymous = send(Events.request("GET", "/control/transfer-targets").build());
        assertThat(anonymous.status()).isEqualTo(401);
    }

    // ------------------------------------------------------------------ one transfer at a time

    @Test
    void aTransferWhileAnotherIsInProgressIs409AndDialsNobodyWhileItsKeyStillReplays() {
        String callId = seeder.attached(START);
        Reply first = transfer(callId, "{\"target\":\"sales\"}", "dash-1");
        assertThat(first.status()).isEqualTo(202);
        String firstId = first.body().get("command_id").asText();

        Reply second = transfer(callId, "{\"target\":\"human\"}", null);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.code()).isEqualTo("transfer_in_progress");
        assertThat(second.body().get("command_id").asText()).isEqualTo(firstId);
        Reply otherKey = transfer(callId, "{\"target\":\"sales\"}", "dash-2");
        assertThat(otherKey.code()).isEqualTo("transfer_in_progress");

        Reply retry = transfer(callId, "{\"target\":\"sales\"}", "dash-1");
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.body().get("command_id").asText()).isEqualTo(firstId);
        assertThat(retry.headers()).containsEntry("idempotent-replayed", "true");

        assertThat(drain(callId)).extracting(ControlMessage::commandId).containsExactly(firstId);
        // hang-up and instructions are never held back by a transfer
        assertThat(send(authed("POST", "/control/calls/" + callId + "/instructions").json("{\"text\":\"hold on\"}")
                .build()).status()).isEqualTo(202);
    }

    @Test
    void theGuardFreesTheCallWhenTheTransferFailsOrHasSettled() {
        String callId = seeder.attached(START);
        String failed = transfer(callId, "{}", null).body().get("command_id").asText();
        commandStore.fail(callId, failed, "twilio refused", clock.instant());
        Reply afterFailure = transfer(callId, "{}", null);
        assertThat(afterFailure.status()).isEqualTo(202);
        String done = afterFailure.body().get("command_id").asText();

        commandStore.complete(callId, done, Json.object().put("dialled", true), clock.instant());
        assertThat(transfer(callId, "{}", null).code()).as("the human may still be ringing").isEqualTo("transfer_in_progress");
        clock.advance(TransferGuard.SETTLE.plusSeconds(1));
        assertThat(transfer(callId, "{}", null).status()).isEqualTo(202);
        assertThat(drain(callId)).hasSize(3);
    }

    /** Four transfer requests for one call at the same moment. */
    private List<Reply> fourAtOnce(String callId, String idempotencyKey) throws Exception {
        List<Callable<Reply>> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(() -> transfer(callId, "{}", idempotencyKey));
        }
        List<Reply> replies = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(4)) {
            for (Future<Reply> reply : pool.invokeAll(requests)) {
                replies.add(reply.get());
            }
        }
        return replies;
    }

    @Test
    void concurrentTransfersWithoutAKeyDialOnce() throws Exception {
        String callId = seeder.attached(START);
        List<Integer> statuses = fourAtOnce(callId, null).stream().map(Reply::status).toList();
        assertThat(statuses).containsOnly(202, 409);
        assertThat(statuses.stream().filter(s -> s == 202)).hasSize(1);
        assertThat(drain(callId)).hasSize(1);
    }

    @Test
    void concurrentRetriesOfOneTransferReplayItAndDialOnce() throws Exception {
        String callId = seeder.attached(START);
        List<Reply> replies = fourAtOnce(callId, "dash-retry");
        assertThat(replies).allSatisfy(reply -> assertThat(reply.status()).as(reply.body().toString()).isEqualTo(202));
        assertThat(replies.stream().map(reply -> reply.body().get("command_id").asText()).distinct()).hasSize(1);
        assertThat(drain(callId)).hasSize(1);
    }

    // ------------------------------------------------------------------ the original API's transfer fields

    private JsonNode argsSentFor(String json) {
        String callId = seeder.attached(START);
        Reply reply = transfer(callId, json, null);
        assertThat(reply.status()).as(json + " -> " + reply.body()).isEqualTo(202);
        List<ControlMessage> sent = drain(callId);
        assertThat(sent).hasSize(1);
        return sent.getFirst().args();
    }

    private void assertRefusedAndNothingSent(String json, String code) {
        String callId = seeder.attached(START);
        Reply reply = transfer(callId, json, null);
        assertThat(reply.status()).as(json).isEqualTo(400);
        assertThat(reply.code()).as(json).isEqualTo(code);
        assertThat(drain(callId)).isEmpty();
    }

    @Test
    void theAddressFieldsSelectOnlyAConfiguredTarget() {
        assertThat(argsSentFor("{\"target_uri\":\"tel:+15551230001\"}").get("target").asText()).isEqualTo("sales");
        assertThat(argsSentFor("{\"targetUri\":\"+15551230001\"}").get("target").asText()).isEqualTo("sales");
        assertThat(argsSentFor("{\"to\":\"+1 (555) 123-0000\"}").get("target").asText()).isEqualTo("human");
        assertThat(argsSentFor("{\"number\":\"+15551230000\"}").get("target").asText()).isEqualTo("human");
        for (String field : List.of("target_uri", "targetUri", "to", "number")) {
            assertRefusedAndNothingSent("{\"" + field + "\":\"+19995550123\"}", "unknown_target");
        }
        assertRefusedAndNothingSent("{\"number\":\"sip:mallory@evil.example\"}", "unknown_target");
        assertRefusedAndNothingSent("{\"target\":\"human\",\"number\":\"+19995550123\"}", "unknown_target");
        assertRefusedAndNothingSent("{\"target\":\"human\",\"number\":\"+15551230001\"}", "invalid_request");
    }

    @Test
    void modeTwilioMeansWarmAndTransferModeIsUnderstood() {
        assertThat(argsSentFor("{\"target\":\"sales\",\"transfer_mode\":\"twilio\"}").get("mode").asText()).isEqualTo("warm");
        assertThat(argsSentFor("{\"target\":\"sales\",\"mode\":\"twilio\"}").get("mode").asText()).isEqualTo("warm");
        assertThat(argsSentFor("{\"transfer_mode\":\"cold\"}").get("mode").asText()).isEqualTo("cold");
        assertThat(argsSentFor("{\"target\":\"sales\",\"mode\":\"warm\"}").get("mode").asText()).isEqualTo("warm");
        assertRefusedAndNothingSent("{\"mode\":\"pigeon\"}", "invalid_request");
        assertRefusedAndNothingSent("{\"mode\":\"warm\",\"transfer_mode\":\"cold\"}", "invalid_request");
    }

    @Test
    void confirmationMessageSilentAndLongReasonsAreKept() {
        JsonNode args = argsSentFor("{\"confirmationMessage\":\"Putting you through now\",\"silent\":true,"
                + "\"reason\":\"" + "r".repeat(2000) + "\"}");
        assertThat(args.get("message").asText()).isEqualTo("Putting you through now");
        assertThat(args.get("silent").asBoolean()).isTrue();
        assertThat(args.get("reason").asText()).hasSize(2000);
        assertRefusedAndNothingSent("{\"reason\":\"" + "r".repeat(2001) + "\"}", "invalid_request");
    }

    // ------------------------------------------------------------------ recent-call search

    private String endedCall(String from, String reason, Instant endedAt) {
        String callId = CallSeeder.newCallId();
        store.recordIncoming(new IncomingCall(callId, "wh_" + callId, List.of(new SipHeader("From", from),
                new SipHeader("To", "+18005551212"))), endedAt.minusSeconds(60));
        store.markEnded(callId, reason, endedAt);
        return callId;
    }

    private List<String> recent(String query) {
        Reply reply = send(authed("GET", "/control/calls").query("status=recent&limit=50&" + query).build());
        assertThat(reply.status()).as(query + " " + reply.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        reply.body().get("calls").forEach(c -> ids.add(c.get("callId").asText()));
        return ids;
    }

    @Test
    void recentCallsCanBeSearchedByNumberDaysAndEndReason() {
        Instant now = Instant.now();
        clock.set(now);
        String alice = endedCall("+14255550101", "caller_hung_up", now.minusSeconds(5));
        String bob = endedCall("+14255550202", "operator_hangup", now.minusSeconds(4));
        String older = endedCall("+14255550101", "caller_hung_up", now.minus(Duration.ofDays(3)));

        assertThat(recent("number=555-0101")).contains(alice, older).doesNotContain(bob);
        assertThat(recent("endReason=operator_hangup")).contains(bob).doesNotContain(alice, older);
        String today = now.minusSeconds(5).atZone(java.time.ZoneOffset.UTC).toLocalDate().toString();
        assertThat(recent("number=4255550101&since=" + today)).contains(alice).doesNotContain(older, bob);
        String threeDaysAgo = now.minus(Duration.ofDays(3)).atZone(java.time.ZoneOffset.UTC).toLocalDate().toString();
        assertThat(recent("until=" + threeDaysAgo + "&since=" + threeDaysAgo)).contains(older).doesNotContain(alice);
        assertThat(recent("callStatus=ENDED&number=4255550202")).containsExactly(bob);

        for (String bad : List.of("since=yesterday", "callStatus=ATTACHED", "number=abc",
                "since=2026-11-24&until=2026-11-01", "endReason=%3Cscript%3E")) {
            Reply reply = send(authed("GET", "/control/calls").query("status=recent&" + bad).build());
            assertThat(reply.status()).as(bad).isEqualTo(400);
        }
        assertThat(send(authed("GET", "/control/calls").query("number=4255").build()).status())
                .as("filters are for the recent listing").isEqualTo(400);
    }
}
