package ai.phoneagent.control;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallSummary;
import ai.phoneagent.call.CallSummaryStore;
import ai.phoneagent.call.Turn;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandDispatch;
import ai.phoneagent.command.CommandStatus;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.CommandType;
import ai.phoneagent.command.ControlMessage;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.config.Env;
import ai.phoneagent.control.commands.AckWait;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.AwsFixture;
import ai.phoneagent.testing.EmfLines;
import ai.phoneagent.testing.InterceptedDynamo;
import ai.phoneagent.testing.MutableClock;
import ai.phoneagent.testing.TestKeys;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;

/**
 * The control Lambda end to end: the real handler against real DynamoDB and SQS APIs (embedded engines, or
 * LocalStack where Docker exists), with a test thread standing in for the session worker.
 */
abstract class ControlApiContract {
    private static final String TOKEN = TestKeys.CONTROL_API_TOKEN;
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    /** Where SQS and DynamoDB answer. */
    abstract AwsBackend backend();

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final List<String> responses = new java.util.concurrent.CopyOnWriteArrayList<>();
    private AwsFixture fixture;
    private MutableClock clock;
    private CallStore store;
    private CommandStore commandStore;
    private ControlQueues queues;
    private CallSeeder seeder;
    /** Waits up to 5 s for the worker. */
    private ControlHandler handler;
    /** Waits 300 ms for the worker, for the 202 cases. */
    private ControlHandler impatient;

    @BeforeEach
    void startFixture() {
        JsonLog.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
        fixture = AwsFixture.on(backend());
        clock = new MutableClock(START);
        store = fixture.callStore();
        commandStore = new CommandStore(fixture.dynamo(), fixture.tableName());
        queues = new ControlQueues(fixture.sqs(), fixture.controlQueuePrefix());
        seeder = new CallSeeder(store, queues);
        handler = handler(Map.of());
        impatient = handler(Map.of("CONTROL_ACK_TIMEOUT_MS", "300"));
    }

    @AfterEach
    void noSecretEverLeaves() {
        JsonLog.redirect(System.out);
        String logText = logs.toString(StandardCharsets.UTF_8);
        assertThat(TestKeys.containsSecret(logText)).as("log output contains a secret").isFalse();
        assertThat(logText).doesNotContain(CallSeeder.CALL_TOKEN).doesNotContain("Bearer");
        for (String body : responses) {
            assertThat(TestKeys.containsSecret(body)).as("response contains a secret: %s", body).isFalse();
            assertThat(body).doesNotContain(CallSeeder.CALL_TOKEN).doesNotContain("Exception").doesNotContain("<html");
        }
    }

    private ControlHandler handler(Map<String, String> overrides) {
        return handler(overrides, fixture.dynamo());
    }

    private ControlHandler handler(Map<String, String> overrides, DynamoDbClient dynamo) {
        Map<String, String> env = new HashMap<>(TestConfigs.baseEnv());
        env.putAll(fixture.env());
        env.putAll(overrides);
        ControlConfig config = ControlConfig.fromEnv(Env.of(env));
        CallStore calls = new CallStore(dynamo, fixture.tableName());
        return new ControlHandler(new ControlService(config, calls, new CommandStore(dynamo, fixture.tableName()),
                new ControlQueues(fixture.sqs(), fixture.controlQueuePrefix()), clock, AckWait.system()));
    }

    /** The fixture's DynamoDB client, except that reading a {@code CMD#} item fails as if DynamoDB were throttling. */
    private DynamoDbClient commandReadsFail() {
        return InterceptedDynamo.around(fixture.dynamo(), (request, proceed) -> {
            if (request instanceof GetItemRequest get && get.key().get("sk").s().startsWith("CMD#")) {
                throw ProvisionedThroughputExceededException.builder().message("throttled").build();
            }
            return proceed.call();
        });
    }

    // ------------------------------------------------------------------ helpers

    private record Reply(int status, Map<String, String> headers, JsonNode body, String raw) {
        String code() {
            return body.at("/error/code").asText();
        }
    }

    private Reply send(ControlHandler target, APIGatewayV2HTTPEvent event) {
        var response = target.handleRequest(event, null);
        String raw = response.getBody() == null ? "" : response.getBody();
        responses.add(raw);
        JsonNode body;
        try {
            body = raw.isEmpty() ? Json.object() : Json.parse(raw);
        } catch (Exception e) {
            throw new AssertionError("response is not JSON: " + raw);
        }
        return new Reply(response.getStatusCode(), response.getHeaders(), body, raw);
    }

    private Reply send(APIGatewayV2HTTPEvent event) {
        return send(handler, event);
    }

    private static Events.Builder authed(String method, String path) {
        return Events.request(method, path).bearer(TOKEN);
    }

    private static void assertError(Reply reply, int status, String code) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(status);
        assertThat(reply.headers()).containsEntry("content-type", "application/json");
        assertThat(reply.body().get("ok").asBoolean(true)).isFalse();
        assertThat(reply.code()).isEqualTo(code);
        assertThat(reply.body().at("/error/message").asText()).isNotBlank();
    }

    private String queueUrl(String callId) {
        return seeder.get(callId).controlQueueUrl();
    }

    /** Every message on the call's queue right now (removed). */
    private List<ControlMessage> drain(String queueUrl) {
        return seeder.drainQueue(queueUrl);
    }

    private FakeWorker worker(String callId, java.util.function.Function<ControlMessage, FakeWorker.Reply> behaviour) {
        return new FakeWorker(queues, commandStore, callId, queueUrl(callId), clock, behaviour);
    }

    private static String path(String callId, String action) {
        return "/control/calls/" + callId + "/" + action;
    }

    // ------------------------------------------------------------------ auth

    @Test
    void requestsWithoutOrWithAWrongBearerTokenAre401Unauthorized() {
        String callId = seeder.attached(START);
        assertError(send(Events.request("GET", "/control/calls").build()), 401, "unauthorized");
        assertError(send(Events.request("GET", "/control/calls").bearer("wrong-token-0123456789").build()), 401,
                "unauthorized");
        assertError(send(Events.request("POST", path(callId, "hangup")).header("Authorization", TOKEN).build()), 401,
                "unauthorized");
        assertError(send(Events.request("GET", "/control/nothing").build()), 401, "unauthorized");
        assertThat(drain(queueUrl(callId))).isEmpty();
    }

    @Test
    void withoutAConfiguredTokenEveryControlRouteIs503() {
        ControlHandler unconfigured = handler(Map.of("CONTROL_API_TOKEN", ""));
        for (var event : List.of(authed("GET", "/control/calls").build(), authed("GET", "/control/calls/rtc_1").build(),
                authed("POST", path("rtc_1", "hangup")).build(), authed("GET", "/control/x").build())) {
            assertError(send(unconfigured, event), 503, "control_not_configured");
        }
    }

    @Test
    void authDisabledForLocalDevelopmentLetsRequestsThrough() {
        ControlHandler open = handler(Map.of("CONTROL_API_TOKEN", "", "CONTROL_AUTH_DISABLED", "true"));
        Reply reply = send(open, Events.request("GET", "/control/calls").build());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("CONTROL_AUTH_DISABLED=true");
    }

    // ------------------------------------------------------------------ routing and validation

    @Test
    void unknownRoutesAre404AndWrongMethodsAre405() {
        assertError(send(authed("GET", "/control/unknown").build()), 404, "not_found");
        assertError(send(authed("POST", "/control/calls/rtc_1/reboot").build()), 404, "not_found");
        assertError(send(Events.request("GET", "/").build()), 404, "not_found");
        Reply wrongMethod = send(authed("DELETE", "/control/calls/rtc_1").build());
        assertError(wrongMethod, 405, "method_not_allowed");
        assertThat(wrongMethod.headers()).containsEntry("allow", "GET");
        assertError(send(authed("GET", path("rtc_1", "hangup")).build()), 405, "method_not_allowed");
        assertError(send(Events.request("GET", "/twilio/conference-events").build()), 405, "method_not_allowed");
    }

    @Test
    void malformedOrOversizedBodiesAreRejectedAndNothingIsSent() {
        String callId = seeder.attached(START);
        assertError(send(authed("POST", path(callId, "hangup")).json("{\"reason\":").build()), 400, "invalid_request");
        assertError(send(authed("POST", path(callId, "hangup")).json("[\"hangup\"]").build()), 400, "invalid_request");
        assertError(send(authed("POST", path(callId, "hangup")).body("reason=bye")
                .header("Content-Type", "application/x-www-form-urlencoded").build()), 400, "invalid_request");
        String big = "{\"reason\":\"" + "x".repeat(17 * 1024) + "\"}";
        assertError(send(authed("POST", path(callId, "instructions")).json(big).build()), 413, "payload_too_large");
        assertThat(drain(queueUrl(callId))).isEmpty();
    }

    @Test
    void invalidCallIdsAre400AndUnknownCallsAre404() {
        assertError(send(authed("POST", path("bad.id", "hangup")).build()), 400, "invalid_request");
        assertError(send(authed("GET", "/control/calls/" + "x".repeat(65)).build()), 400, "invalid_request");
        assertError(send(authed("GET", "/control/calls/rtc_1/commands/bad%20id").build()), 400, "invalid_request");
        for (String action : List.of("hangup", "transfer", "instructions")) {
            assertError(send(authed("POST", path("rtc_missing", action)).json("{\"text\":\"hi\"}").build()), 404,
                    "call_not_found");
        }
        assertError(send(authed("GET", "/control/calls/rtc_missing").build()), 404, "call_not_found");
        assertError(send(authed("GET", "/control/calls/rtc_missing/commands/cmd_1").build()), 404, "call_not_found");
        String callId = seeder.attached(START);
        assertError(send(authed("GET", "/control/calls/" + callId + "/commands/cmd_missing").build()), 404,
                "command_not_found");
    }

    @Test
    void commandsToAnEndedCallAre409CallEnded() {
        String callId = seeder.ended(START, START.plusSeconds(60));
        for (String action : List.of("hangup", "transfer", "instructions")) {
            assertError(send(authed("POST", path(callId, action)).json("{\"text\":\"hi\"}").build()), 409, "call_ended");
        }
    }

    @Test
    void commandsToACallNoWorkerHasAttachedAre409CallNotReady() {
        for (String callId : List.of(seeder.received(START), seeder.queued(START), seeder.orphanedWithoutQueue(START))) {
            assertError(send(authed("POST", path(callId, "hangup")).build()), 409, "call_not_ready");
        }
    }

    @Test
    void transferToATargetOutsideTheAllowListIs400() {
        String callId = seeder.attached(START);
        assertError(send(authed("POST", path(callId, "transfer")).json("{\"target\":\"+15559999999\"}").build()), 400,
                "invalid_transfer_target");
        assertError(send(authed("POST", path(callId, "transfer")).json("{\"target\":\"ceo\"}").build()), 400,
                "invalid_transfer_target");
        assertError(send(authed("POST", path(callId, "transfer")).json("{\"mode\":\"hot\"}").build()), 400,
                "invalid_request");
        assertThat(drain(queueUrl(callId))).isEmpty();
    }

    @Test
    void instructionsWithoutTextAre400() {
        String callId = seeder.attached(START);
        assertError(send(authed("POST", path(callId, "instructions")).json("{}").build()), 400, "invalid_request");
        assertError(send(authed("POST", path(callId, "instructions")).json("{\"text\":\" \"}").build()), 400,
                "invalid_request");
        assertError(send(authed("POST", path(callId, "instructions")).build()), 400, "invalid_request");
        assertThat(drain(queueUrl(callId))).isEmpty();
    }

    @Test
    void aBadIdempotencyKeyIs400() {
        String callId = seeder.attached(START);
        assertError(send(authed("POST", path(callId, "hangup")).header("Idempotency-Key", "k".repeat(201)).build()),
                400, "invalid_request");
        assertError(send(authed("POST", path(callId, "hangup")).header("Idempotency-Key", "a\u0007b").build()), 400,
                "invalid_request");
        assertThat(drain(queueUrl(callId))).isEmpty();
    }

    // ------------------------------------------------------------------ listing

    @Test
    void liveCallsArePagedNewestFirstWithOpaqueCursors() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expected.addFirst(seeder.attached(START.plusSeconds(i)));
        }
        seeder.ended(START, START.plusSeconds(30)); // not live

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply page = send(authed("GET", "/control/calls")
                    .query("limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).build());
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body().get("ok").asBoolean()).isTrue();
            assertThat(page.body().get("status").asText()).isEqualTo("live");
            assertThat(page.body().get("calls").size()).isLessThanOrEqualTo(2);
            page.body().get("calls").forEach(call -> {
                seen.add(call.get("callId").asText());
                assertThat(call.get("status").asText()).isEqualTo("ATTACHED");
                assertThat(call.get("from").asText()).isEqualTo("+15550001111");
                assertThat(call.has("callToken")).isFalse();
                assertThat(call.has("sipHeaders")).isFalse();
                assertThat(call.has("controlQueueUrl")).isFalse();
            });
            cursor = page.body().get("nextCursor").isNull() ? null : page.body().get("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(seen).containsExactlyElementsOf(expected);

        Reply defaults = send(authed("GET", "/control/calls").build());
        assertThat(defaults.body().get("calls")).hasSize(5);
        assertThat(defaults.body().get("nextCursor").isNull()).isTrue();
    }

    @Test
    void aTamperedForgedOrForeignCursorIs400InvalidCursor() {
        for (int i = 0; i < 3; i++) {
            seeder.attached(START.plusSeconds(i));
        }
        String cursor = send(authed("GET", "/control/calls").query("limit=1").build()).body().get("nextCursor").asText();
        String tampered = (cursor.charAt(0) == 'A' ? 'B' : 'A') + cursor.substring(1);
        assertError(send(authed("GET", "/control/calls").query("cursor=" + tampered).build()), 400, "invalid_cursor");
        assertError(send(authed("GET", "/control/calls").query("cursor=not-a-cursor").build()), 400, "invalid_cursor");
        assertError(send(authed("GET", "/control/calls").query("status=recent&cursor=" + cursor).build()), 400,
                "invalid_cursor");
        assertError(send(authed("GET", "/control/calls/rtc_1").query("turnsCursor=" + cursor).build()), 400,
                "invalid_cursor");
        assertThat(send(authed("GET", "/control/calls").query("cursor=" + cursor).build()).status()).isEqualTo(200);
    }

    @Test
    void listParametersOutOfBoundsAre400() {
        for (String query : List.of("limit=0", "limit=101", "limit=ten", "status=all")) {
            assertError(send(authed("GET", "/control/calls").query(query).build()), 400, "invalid_request");
        }
    }

    @Test
    void recentCallsWalkBackDayPartitionsMostRecentlyEndedFirst() {
        Instant today = START;
        String endedToday = seeder.ended(today.minusSeconds(3600), today.minusSeconds(600));
        String endedTodayEarlier = seeder.ended(today.minusSeconds(7200), today.minusSeconds(3000));
        String endedYesterday = seeder.ended(today.minus(Duration.ofDays(1)), today.minus(Duration.ofDays(1)));
        String endedFiveDaysAgo = seeder.ended(today.minus(Duration.ofDays(5)), today.minus(Duration.ofDays(5)));
        seeder.ended(today.minus(Duration.ofDays(10)), today.minus(Duration.ofDays(10))); // beyond 7 days
        seeder.attached(today); // live, not recent

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply page = send(authed("GET", "/control/calls")
                    .query("status=recent&limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).build());
            assertThat(page.status()).as(page.raw()).isEqualTo(200);
            assertThat(page.body().get("status").asText()).isEqualTo("recent");
            page.body().get("calls").forEach(call -> {
                seen.add(call.get("callId").asText());
                assertThat(call.get("status").asText()).isEqualTo("ENDED");
                assertThat(call.get("endReason").asText()).isEqualTo("caller_hung_up");
                assertThat(call.get("live").asBoolean()).isFalse();
            });
            cursor = page.body().get("nextCursor").isNull() ? null : page.body().get("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 20);
        assertThat(seen).containsExactly(endedToday, endedTodayEarlier, endedYesterday, endedFiveDaysAgo);
    }

    // ------------------------------------------------------------------ detail

    @Test
    void callDetailShowsTheCallWithItsTranscriptAndEventsButNoSecrets() {
        String callId = seeder.attached(START);
        store.appendTurn(callId, Turn.Speaker.AGENT, "Hello, how can I help?", "item_1", START.plusSeconds(1));
        store.appendTurn(callId, Turn.Speaker.CALLER, "I need a human", "item_2", START.plusSeconds(2));
        store.appendTurn(callId, Turn.Speaker.AGENT, "Transferring you now", "item_3", START.plusSeconds(3));
        store.appendEvent(callId, "tool_call", Json.object().put("name", "transfer_call"), START.plusSeconds(3));
        store.appendEvent(callId, "transfer", Json.object().put("target", "human"), START.plusSeconds(4));

        Reply reply = send(authed("GET", "/control/calls/" + callId).build());
        assertThat(reply.status()).isEqualTo(200);
        JsonNode call = reply.body().get("call");
        assertThat(call.get("callId").asText()).isEqualTo(callId);
        assertThat(call.get("status").asText()).isEqualTo("ATTACHED");
        assertThat(call.get("from").asText()).isEqualTo("+15550001111");
        assertThat(call.get("to").asText()).isEqualTo("+15550002222");
        assertThat(call.get("owner").asText()).isEqualTo(CallSeeder.OWNER);
        assertThat(call.get("createdAt").asText()).isEqualTo(START.toString());
        assertThat(call.get("controlReady").asBoolean()).isTrue();
        assertThat(call.has("callToken")).isFalse();
        assertThat(call.has("sipHeaders")).isFalse();
        assertThat(reply.body().get("turns")).extracting(t -> t.get("text").asText())
                .containsExactly("Hello, how can I help?", "I need a human", "Transferring you now");
        assertThat(reply.body().get("turns").get(1).get("speaker").asText()).isEqualTo("caller");
        assertThat(reply.body().get("events")).extracting(e -> e.get("kind").asText())
                .containsExactly("tool_call", "transfer");
        assertThat(reply.body().get("events").get(1).at("/details/target").asText()).isEqualTo("human");
    }

    @Test
    void callDetailShowsThePostCallSummaryOnceMadeAndNoneBefore() {
        String callId = seeder.ended(START, START.plusSeconds(60));
        assertThat(send(authed("GET", "/control/calls/" + callId).build()).body().get("call").has("summary")).isFalse();
        CallSummaryStore summaries = new CallSummaryStore(fixture.dynamo(), fixture.tableName());
        assertThat(summaries.claim(callId, "worker-a", "gpt-test", START.plusSeconds(61), Duration.ofMinutes(1))).isTrue();
        assertThat(send(authed("GET", "/control/calls/" + callId).build()).body().at("/call/summary/status").asText())
                .isEqualTo("pending");
        CallSummary.Fields fields = new CallSummary.Fields("Asked about opening hours; told nine to five.",
                "Opening hours", "resolved", true, "Send the holiday schedule.", "neutral");
        assertThat(summaries.settle(callId, "worker-a", new CallSummary(CallSummary.Status.DONE, fields, "gpt-test",
                START.plusSeconds(63), null, 2))).isTrue();

        JsonNode summary = send(authed("GET", "/control/calls/" + callId).build()).body().at("/call/summary");

        assertThat(summary.get("status").asText()).isEqualTo("done");
        assertThat(summary.get("summary").asText()).isEqualTo("Asked about opening hours; told nine to five.");
        assertThat(summary.get("reason").asText()).isEqualTo("Opening hours");
        assertThat(summary.get("outcome").asText()).isEqualTo("resolved");
        assertThat(summary.get("followUpNeeded").asBoolean()).isTrue();
        assertThat(summary.get("followUp").asText()).isEqualTo("Send the holiday schedule.");
        assertThat(summary.get("sentiment").asText()).isEqualTo("neutral");
        assertThat(summary.get("model").asText()).isEqualTo("gpt-test");
        assertThat(summary.get("at").asText()).isEqualTo(START.plusSeconds(63).toString());
        assertThat(summary.get("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void theTranscriptAndEventsArePagedWithTheirOwnCursors() {
        String callId = seeder.attached(START);
        for (int i = 0; i < 5; i++) {
            store.appendTurn(callId, Turn.Speaker.CALLER, "turn " + i, "item_" + i, START.plusSeconds(i));
            store.appendEvent(callId, "dtmf", Json.object().put("digit", i), START.plusSeconds(i));
        }
        List<String> turns = new ArrayList<>();
        String turnsCursor = null;
        for (int page = 0; page < 10; page++) {
            Reply reply = send(authed("GET", "/control/calls/" + callId)
                    .query("turnsLimit=2" + (turnsCursor == null ? "" : "&turnsCursor=" + turnsCursor)).build());
            assertThat(reply.status()).isEqualTo(200);
            reply.body().get("turns").forEach(t -> turns.add(t.get("text").asText()));
            turnsCursor = reply.body().get("turnsCursor").isNull() ? null : reply.body().get("turnsCursor").asText();
            if (turnsCursor == null) {
                break;
            }
        }
        List<Integer> digits = new ArrayList<>();
        String eventsCursor = null;
        for (int page = 0; page < 10; page++) {
            Reply reply = send(authed("GET", "/control/calls/" + callId)
                    .query("eventsLimit=3" + (eventsCursor == null ? "" : "&eventsCursor=" + eventsCursor)).build());
            assertThat(reply.status()).isEqualTo(200);
            reply.body().get("events").forEach(e -> digits.add(e.at("/details/digit").asInt()));
            eventsCursor = reply.body().get("eventsCursor").isNull() ? null : reply.body().get("eventsCursor").asText();
            if (eventsCursor == null) {
                break;
            }
        }
        assertThat(turns).containsExactly("turn 0", "turn 1", "turn 2", "turn 3", "turn 4");
        assertThat(digits).containsExactly(0, 1, 2, 3, 4);

        String other = seeder.attached(START);
        String cursor = send(authed("GET", "/control/calls/" + callId).query("turnsLimit=1").build())
                .body().get("turnsCursor").asText();
        assertError(send(authed("GET", "/control/calls/" + other).query("turnsCursor=" + cursor).build()), 400,
                "invalid_cursor");
        assertError(send(authed("GET", "/control/calls/" + callId).query("turnsLimit=500").build()), 400,
                "invalid_request");
    }

    // ------------------------------------------------------------------ commands

    @Test
    void aCommandToAnAttachedCallAnswersWithTheWorkersResult() throws Exception {
        String callId = seeder.attached(START);
        try (FakeWorker worker = worker(callId, c -> FakeWorker.Reply.done("{\"handled\":\"" + c.type().wireName() + "\"}"))) {
            Reply hangup = send(authed("POST", path(callId, "hangup")).json("{\"reason\":\"operator\",\"x\":1}").build());
            assertThat(hangup.status()).as(hangup.raw()).isEqualTo(200);
            assertThat(hangup.body().get("ok").asBoolean()).isTrue();
            assertThat(hangup.body().get("status").asText()).isEqualTo("done");
            assertThat(hangup.body().at("/result/handled").asText()).isEqualTo("hangup");
            String commandId = hangup.body().get("command_id").asText();

            Reply instructions = send(authed("POST", path(callId, "instructions"))
                    .json("{\"text\":\"Offer a callback\",\"respond\":true}").build());
            assertThat(instructions.status()).isEqualTo(200);
            Reply transfer = send(authed("POST", path(callId, "transfer"))
                    .json("{\"target\":\"sales\",\"message\":\"One moment\",\"reason\":\"upsell\"}").build());
            assertThat(transfer.status()).isEqualTo(200);

            assertThat(worker.received()).hasSize(3);
            ControlMessage first = worker.received().getFirst();
            assertThat(first.commandId()).isEqualTo(commandId);
            assertThat(first.type()).isEqualTo(CommandType.HANGUP);
            assertThat(first.args()).isEqualTo(Json.parse("{\"reason\":\"operator\"}"));
            assertThat(worker.received().get(1).args())
                    .isEqualTo(Json.parse("{\"text\":\"Offer a callback\",\"respond\":true}"));
            assertThat(worker.received().get(2).args()).isEqualTo(Json.parse(
                    "{\"target\":\"sales\",\"mode\":\"cold\",\"message\":\"One moment\",\"reason\":\"upsell\"}"));

            Reply status = send(authed("GET", "/control/calls/" + callId + "/commands/" + commandId).build());
            assertThat(status.status()).isEqualTo(200);
            assertThat(status.body().get("status").asText()).isEqualTo("done");
            assertThat(status.body().get("type").asText()).isEqualTo("hangup");
            assertThat(status.body().at("/args/reason").asText()).isEqualTo("operator");
            assertThat(status.body().has("completed_at")).isTrue();
        }
    }

    @Test
    void commandsAreCountedAndTimedByTypeAndOutcomeAsEmf() throws Exception {
        String live = seeder.attached(START);
        String over = seeder.ended(START, START.plusSeconds(30));
        long started = System.nanoTime();
        try (FakeWorker worker = worker(live, c -> FakeWorker.Reply.done("{}"))) {
            assertThat(send(authed("POST", path(live, "hangup")).build()).status()).isEqualTo(200);
        }
        assertError(send(authed("POST", path(over, "instructions")).json("{\"text\":\"hi\"}").build()), 409, "call_ended");
        double elapsedMs = (System.nanoTime() - started) / 1e6;

        List<EmfLines.Datum> data = EmfLines.parse(logs.toString(StandardCharsets.UTF_8));
        assertThat(data).allSatisfy(d -> {
            assertThat(d.namespace()).isEqualTo(Metric.NAMESPACE);
            assertThat(d.dimensions()).containsEntry("Service", "control").doesNotContainValue(live).doesNotContainValue(over);
        });
        assertThat(EmfLines.named(data, "Commands")).hasSize(2).allSatisfy(d -> assertThat(d.value()).isEqualTo(1.0));
        assertThat(EmfLines.named(data, "Commands")).extracting(EmfLines.Datum::dimensions).containsExactly(
                Map.of("Service", "control", "CommandType", "hangup", "Outcome", "done"),
                Map.of("Service", "control", "CommandType", "instructions", "Outcome", "call_ended"));
        assertThat(EmfLines.named(data, "CommandLatency")).hasSize(2).allSatisfy(d -> {
            assertThat(d.unit()).isEqualTo("Milliseconds");
            assertThat(d.value()).isPositive().isLessThan(elapsedMs);
            assertThat(d.dimensionSets()).isEqualTo(Metric.COMMAND_LATENCY.dimensionSets());
        });
        assertThat(EmfLines.named(data, "CommandLatency").getFirst().property("call_id")).isEqualTo(live);
    }

    @Test
    void anEmptyBodyWithoutContentTypeIsAnEmptyCommand() throws Exception {
        String callId = seeder.attached(START);
        try (FakeWorker worker = worker(callId, c -> FakeWorker.Reply.done("{}"))) {
            Reply reply = send(Events.request("POST", path(callId, "hangup")).bearer(TOKEN).build());
            assertThat(reply.status()).isEqualTo(200);
            Reply textPlain = send(authed("POST", path(callId, "transfer")).body("{\"target\":\"human\"}")
                    .header("Content-Type", "text/plain").build());
            assertThat(textPlain.status()).isEqualTo(200);
            assertThat(worker.received().getLast().args().get("target").asText()).isEqualTo("human");
            assertThat(worker.received().getLast().args().get("mode").asText()).isEqualTo("warm");
        }
    }

    @Test
    void aCommandTheWorkerFailsIs502UpstreamErrorWithTheReason() throws Exception {
        String callId = seeder.attached(START);
        try (FakeWorker worker = worker(callId, c -> FakeWorker.Reply.failed("Twilio refused the dial: 21217"))) {
            Reply reply = send(authed("POST", path(callId, "transfer")).build());
            assertError(reply, 502, "upstream_error");
            assertThat(reply.body().at("/error/message").asText()).isEqualTo("Twilio refused the dial: 21217");
            String commandId = reply.body().get("command_id").asText();
            assertThat(worker.received()).extracting(ControlMessage::commandId).containsExactly(commandId);
            Reply status = send(authed("GET", "/control/calls/" + callId + "/commands/" + commandId).build());
            assertThat(status.body().get("status").asText()).isEqualTo("failed");
            assertThat(status.body().at("/error/code").asText()).isEqualTo("upstream_error");
        }
    }

    @Test
    void withoutAWorkerTheRequestAnswers202AndTheCommandCompletesOnceLater() throws Exception {
        String callId = seeder.attached(START);
        Reply reply = send(impatient, authed("POST", path(callId, "hangup")).build());
        assertThat(reply.status()).as(reply.raw()).isEqualTo(202);
        assertThat(reply.body().get("ok").asBoolean()).isTrue();
        assertThat(reply.body().get("status").asText()).isEqualTo("pending");
        String commandId = reply.body().get("command_id").asText();
        assertThat(reply.headers()).containsEntry("location", "/control/calls/" + callId + "/commands/" + commandId);
        String statusPath = "/control/calls/" + callId + "/commands/" + commandId;
        assertThat(send(authed("GET", statusPath).build()).body().get("status").asText()).isEqualTo("pending");

        try (FakeWorker worker = worker(callId, c -> FakeWorker.Reply.done("{\"ended\":true}"))) {
            Await.until("the command is done", Duration.ofSeconds(10),
                    () -> send(authed("GET", statusPath).build()).body().get("status").asText().equals("done"));
            Reply done = send(authed("GET", statusPath).build());
            assertThat(done.body().at("/result/ended").asBoolean()).isTrue();
            assertThat(worker.received()).extracting(ControlMessage::commandId).containsExactly(commandId);
        }
    }

    @Test
    void anIdempotentRetryReturnsTheFirstOutcomeAndSendsTheCommandOnce() throws Exception {
        String callId = seeder.attached(START);
        var first = send(impatient, authed("POST", path(callId, "transfer")).header("Idempotency-Key", "dash-42")
                .json("{\"target\":\"human\"}").build());
        assertThat(first.status()).isEqualTo(202);
        String commandId = first.body().get("command_id").asText();

        var retry = send(impatient, authed("POST", path(callId, "transfer")).header("Idempotency-Key", "dash-42")
                .json("{\"target\":\"human\"}").build());
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.body().get("command_id").asText()).isEqualTo(commandId);
        assertThat(retry.headers()).containsEntry("idempotent-replayed", "true");
        List<ControlMessage> sent = drain(queueUrl(callId));
        assertThat(sent).extracting(ControlMessage::commandId).containsExactly(commandId);

        commandStore.complete(callId, commandId, Json.object().put("dialled", "human"), clock.instant());
        var afterDone = send(authed("POST", path(callId, "transfer")).header("Idempotency-Key", "dash-42").build());
        assertThat(afterDone.status()).isEqualTo(200);
        assertThat(afterDone.body().get("command_id").asText()).isEqualTo(commandId);
        assertThat(afterDone.body().at("/result/dialled").asText()).isEqualTo("human");
        assertThat(drain(queueUrl(callId))).isEmpty();

        store.markEnded(callId, "caller_hung_up", clock.instant());
        var afterEnd = send(authed("POST", path(callId, "transfer")).header("Idempotency-Key", "dash-42").build());
        assertThat(afterEnd.status()).isEqualTo(200);
        assertThat(afterEnd.body().get("command_id").asText()).isEqualTo(commandId);
    }

    @Test
    void anIdempotentRetryOfACompletedCommandReturnsItsResultWithAWorkerRunning() throws Exception {
        String callId = seeder.attached(START);
        try (FakeWorker worker = worker(callId, c -> FakeWorker.Reply.done("{\"n\":1}"))) {
            var first = send(authed("POST", path(callId, "hangup")).header("Idempotency-Key", "once").build());
            var retry = send(authed("POST", path(callId, "hangup")).header("Idempotency-Key", "once").build());
            assertThat(first.status()).isEqualTo(200);
            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.body().get("command_id")).isEqualTo(first.body().get("command_id"));
            assertThat(worker.received()).hasSize(1);
        }
    }

    @Test
    void concurrentRequestsWithTheSameIdempotencyKeyDialTheHumanOnce() throws Exception {
        String callId = seeder.attached(START);
        int parallel = 6;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(parallel);
        try {
            var start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Reply>> futures = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return send(impatient, authed("POST", path(callId, "transfer"))
                            .header("Idempotency-Key", "double-click").json("{\"target\":\"human\"}").build());
                }));
            }
            start.countDown();
            List<Reply> replies = new ArrayList<>();
            for (var future : futures) {
                replies.add(future.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            // the winner answers 202; the others wait out its transaction and replay its command
            assertThat(replies).extracting(Reply::status).containsOnly(202);
            assertThat(replies).extracting(r -> r.body().get("command_id").asText()).containsOnly(
                    replies.getFirst().body().get("command_id").asText());
        } finally {
            pool.shutdownNow();
        }
        assertThat(drain(queueUrl(callId))).hasSize(1);
    }

    @Test
    void reusingAnIdempotencyKeyForAnotherCommandIs409() {
        String callId = seeder.attached(START);
        assertThat(send(impatient, authed("POST", path(callId, "hangup")).header("Idempotency-Key", "k1").build())
                .status()).isEqualTo(202);
        assertError(send(impatient, authed("POST", path(callId, "instructions")).header("Idempotency-Key", "k1")
                .json("{\"text\":\"hi\"}").build()), 409, "idempotency_key_reused");
        assertThat(drain(queueUrl(callId))).hasSize(1);
    }

    @Test
    void aSentCommandWhoseStatusCannotBeReadIs202WithItsIdNotAnErrorInvitingASecondCommand() {
        String callId = seeder.attached(START);
        ControlHandler flaky = handler(Map.of("CONTROL_ACK_TIMEOUT_MS", "300"), commandReadsFail());
        Reply reply = send(flaky, authed("POST", path(callId, "transfer")).json("{\"target\":\"human\"}").build());
        assertThat(reply.status()).as(reply.raw()).isEqualTo(202);
        String commandId = reply.body().get("command_id").asText();
        assertThat(drain(queueUrl(callId))).extracting(ControlMessage::commandId).containsExactly(commandId);
    }

    @Test
    void aCommandWhoseQueueCannotBeReachedIs503WorkerUnavailableAndMarkedFailed() {
        String callId = seeder.attached(START);
        queues.deleteQueue(queueUrl(callId));
        Reply reply = send(authed("POST", path(callId, "hangup")).header("Idempotency-Key", "gone-1").build());
        assertError(reply, 503, "worker_unavailable");
        String commandId = reply.body().get("command_id").asText();
        Reply status = send(authed("GET", "/control/calls/" + callId + "/commands/" + commandId).build());
        assertThat(status.body().get("status").asText()).isEqualTo("failed");
        assertThat(status.body().at("/error/code").asText()).isEqualTo("worker_unavailable");
        assertThat(commandStore.get(callId, commandId).orElseThrow().status()).isEqualTo(CommandStatus.FAILED);
        assertError(send(authed("POST", path(callId, "hangup")).header("Idempotency-Key", "gone-1").build()), 503,
                "worker_unavailable");
    }

    @Test
    void aCallsFirstCommandMakesItsQueueAtTheUrlTheClaimRecordedAndRecordsThatItExists() {
        String nudgeQueue = queues.createNudgeQueue(CallSeeder.OWNER);
        String callId = seeder.attachedWithQueueUrl(START, nudgeQueue);
        String url = queueUrl(callId);
        assertThat(queues.find(callId)).as("the claim made no queue").isEmpty();
        assertThat(seeder.get(callId).controlQueueMayExist()).isFalse();

        Reply reply = send(impatient, authed("POST", path(callId, "instructions")).json("{\"text\":\"Be brief.\"}").build());

        assertThat(reply.status()).as(reply.raw()).isEqualTo(202);
        String commandId = reply.body().get("command_id").asText();
        assertThat(queues.find(callId)).contains(url);
        assertThat(seeder.get(callId).controlQueueMayExist()).isTrue();
        assertThat(seeder.get(callId).controlQueueUrl()).isEqualTo(url);
        assertThat(drain(url)).extracting(ControlMessage::commandId).containsExactly(commandId);
        assertThat(queues.receive(nudgeQueue, 10, 0)).as("the owner's nudge carries it too").singleElement()
                .satisfies(m -> assertThat(ai.phoneagent.command.Nudge.parse(m.body()).command().orElseThrow().commandId())
                        .isEqualTo(commandId));
    }

    @Test
    void anAttachedCallWhoseClaimRecordedNoQueueUrlGetsItsQueueMadeByItsFirstCommand() {
        String callId = seeder.attachedWithoutQueue(START);
        assertThat(send(authed("GET", "/control/calls/" + callId).build()).body().at("/call/controlReady").asBoolean())
                .as("commands work on any attached call").isTrue();
        assertThat(send(authed("GET", "/control/calls/" + seeder.queued(START)).build()).body()
                .at("/call/controlReady").asBoolean()).as("nobody holds a queued call yet").isFalse();

        Reply reply = send(impatient, authed("POST", path(callId, "instructions")).json("{\"text\":\"Be brief.\"}").build());

        assertThat(reply.status()).as(reply.raw()).isEqualTo(202);
        CallRecord call = seeder.get(callId);
        assertThat(call.controlQueueMayExist()).isTrue();
        assertThat(queues.find(callId)).contains(call.controlQueueUrl());
        assertThat(drain(call.controlQueueUrl())).extracting(ControlMessage::commandId)
                .containsExactly(reply.body().get("command_id").asText());
    }

    @Test
    void aCallsQueueIsRecordedOnlyWhileTheCallHasNotEndedAndTheEndWriteReturnsTheRecord() {
        String live = seeder.attachedWithoutQueue(START);
        String ended = seeder.queued(START);
        assertThat(store.endCall(ended, "caller_hangup", START)).hasValueSatisfying(
                c -> assertThat(c.controlQueueMayExist()).isFalse());
        assertThat(store.recordControlQueue(ended, "https://sqs.example/q/" + ended, START))
                .as("too late: the end's owner would never clean it up").isFalse();
        assertThat(store.recordControlQueue("rtc_never_recorded", "https://sqs.example/q/x", START)).isFalse();

        assertThat(store.recordControlQueue(live, "https://sqs.example/q/" + live, START)).isTrue();
        assertThat(store.recordControlQueue(live, "https://sqs.example/q/other", START.plusSeconds(5))).isTrue();
        CallRecord recorded = seeder.get(live);
        assertThat(recorded.controlQueueUrl()).as("kept once set").isEqualTo("https://sqs.example/q/" + live);
        assertThat(store.endCall(live, "caller_hangup", START.plusSeconds(9))).hasValueSatisfying(c -> {
            assertThat(c.status()).isEqualTo(CallStatus.ENDED);
            assertThat(c.controlQueueMayExist()).isTrue();
        });
        assertThat(store.endCall(live, "caller_hangup", START.plusSeconds(10))).as("ended once").isEmpty();
    }

    @Test
    void aCommandStrandedByARequestThatDiedBeforeSendingIsSentOnceByTheRetry() {
        String callId = seeder.attached(START);
        Command stranded = Command.pending(callId, "cmd_stranded_1", CommandType.HANGUP, Json.object(), "retry-me",
                clock.instant());
        commandStore.create(stranded); // stored, never sent: the first Lambda died here

        Reply early = send(impatient, authed("POST", path(callId, "hangup")).header("Idempotency-Key", "retry-me").build());
        assertThat(early.status()).isEqualTo(202);
        assertThat(drain(queueUrl(callId))).as("the first request may still be alive").isEmpty();

        clock.advance(Duration.ofSeconds(31));
        Reply retry = send(impatient, authed("POST", path(callId, "hangup")).header("Idempotency-Key", "retry-me").build());
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.body().get("command_id").asText()).isEqualTo("cmd_stranded_1");
        assertThat(drain(queueUrl(callId))).extracting(ControlMessage::commandId).containsExactly("cmd_stranded_1");
        assertThat(new CommandDispatch(fixture.dynamo(), fixture.tableName()).sentAt(callId, "cmd_stranded_1")).isPresent();

        clock.advance(Duration.ofSeconds(60));
        send(impatient, authed("POST", path(callId, "hangup")).header("Idempotency-Key", "retry-me").build());
        assertThat(drain(queueUrl(callId))).isEmpty();
    }

    @Test
    void idempotencyMarkersWrittenByTheCommandStoreAreFoundByKey() {
        String callId = seeder.attached(START);
        commandStore.create(Command.pending(callId, "cmd_key_1", CommandType.HANGUP, Json.object(), "the-key",
                clock.instant()));
        CommandDispatch dispatch = new CommandDispatch(fixture.dynamo(), fixture.tableName());
        assertThat(dispatch.commandIdForKey(callId, "the-key")).contains("cmd_key_1");
        assertThat(dispatch.commandIdForKey(callId, "other-key")).isEmpty();
        assertThat(dispatch.sentAt(callId, "cmd_key_1")).isEmpty();
    }

    // ------------------------------------------------------------------ Twilio conference callback

    private Map<String, String> humanJoin(String callId) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("AccountSid", TestKeys.TWILIO_ACCOUNT_SID);
        params.put("ConferenceSid", "CF00000000000000000000000000000001");
        params.put("FriendlyName", "conf-" + callId);
        params.put("StatusCallbackEvent", "participant-join");
        params.put("CallSid", "CA00000000000000000000000000000002");
        params.put("ParticipantLabel", TestConfigs.HUMAN_LABEL);
        params.put("Muted", "false");
        params.put("Timestamp", "Tue, 24 Nov 2026 10:00:05 +0000");
        params.put("SequenceNumber", "3");
        return params;
    }

    private APIGatewayV2HTTPEvent twilioEvent(String query, Map<String, String> params, String signature) {
        var builder = Events.request("POST", "/twilio/conference-events").query(query)
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .header("I-Twilio-Idempotency-Token", "idem-1")
                .base64Body(TwilioSigner.form(params).getBytes(StandardCharsets.UTF_8));
        if (signature != null) {
            builder.header("X-Twilio-Signature", signature);
        }
        return builder.build();
    }

    private String sign(String query, Map<String, String> params) {
        return TwilioSigner.sign(TestKeys.TWILIO_AUTH_TOKEN, TestConfigs.CALLBACK_URL + "?" + query, params);
    }

    @Test
    void aSignedHumanJoinCompletesTheWarmTransferWithExactlyOneHangup() {
        String callId = seeder.attached(START);
        String query = "callId=" + callId;
        Map<String, String> params = humanJoin(callId);
        Reply reply = send(twilioEvent(query, params, sign(query, params)));
        assertThat(reply.status()).isEqualTo(204);
        assertThat(reply.raw()).isEmpty();

        List<ControlMessage> sent = drain(queueUrl(callId));
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().type()).isEqualTo(CommandType.HANGUP);
        assertThat(sent.getFirst().args().get("reason").asText()).isEqualTo("warm_transfer_complete");
        var events = store.events(callId, null, 10).items();
        assertThat(events).extracting(e -> e.kind()).containsExactly("transfer_human_joined");
        assertThat(events.getFirst().details().get("commandId").asText()).isEqualTo(sent.getFirst().commandId());

        Reply repeated = send(twilioEvent(query, params, sign(query, params)));
        assertThat(repeated.status()).isEqualTo(204);
        assertThat(drain(queueUrl(callId))).isEmpty();
        assertThat(store.events(callId, null, 10).items()).hasSize(1);
    }

    @Test
    void forgedOrUnsignedCallbacksAre403AndChangeNothing() {
        String callId = seeder.attached(START);
        String other = seeder.attached(START);
        String query = "callId=" + callId;
        Map<String, String> params = humanJoin(callId);
        String good = sign(query, params);

        assertError(send(twilioEvent(query, params, null)), 403, "forbidden");
        assertError(send(twilioEvent(query, params, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")), 403, "forbidden");
        assertError(send(twilioEvent(query, params, TwilioSigner.sign("wrong-token", TestConfigs.CALLBACK_URL + "?"
                + query, params))), 403, "forbidden");
        Map<String, String> relabelled = new LinkedHashMap<>(params);
        relabelled.put("ParticipantLabel", "customer");
        assertError(send(twilioEvent(query, relabelled, sign(query, params))), 403, "forbidden");
        assertError(send(twilioEvent("callId=" + other, params, good)), 403, "forbidden");
        Map<String, String> otherParams = new LinkedHashMap<>(params);
        otherParams.put("Extra", "1");
        assertError(send(twilioEvent(query, otherParams, good)), 403, "forbidden");

        assertThat(drain(queueUrl(callId))).isEmpty();
        assertThat(drain(queueUrl(other))).isEmpty();
        assertThat(store.events(callId, null, 10).items()).isEmpty();
        assertThat(store.events(other, null, 10).items()).isEmpty();
    }

    @Test
    void otherConferenceEventsAreAcknowledgedWithoutCommands() {
        String callId = seeder.attached(START);
        String ended = seeder.ended(START, START.plusSeconds(5));
        String query = "callId=" + callId;
        Map<String, String> callerJoin = humanJoin(callId);
        callerJoin.put("ParticipantLabel", "caller");
        Map<String, String> leave = humanJoin(callId);
        leave.put("StatusCallbackEvent", "participant-leave");
        Map<String, String> otherConference = humanJoin(callId);
        otherConference.put("FriendlyName", "conf-somebody-else");
        for (Map<String, String> params : List.of(callerJoin, leave, otherConference)) {
            assertThat(send(twilioEvent(query, params, sign(query, params))).status()).isEqualTo(204);
        }
        Map<String, String> endedJoin = humanJoin(ended);
        assertThat(send(twilioEvent("callId=" + ended, endedJoin, sign("callId=" + ended, endedJoin))).status())
                .isEqualTo(204);
        Map<String, String> unknownJoin = humanJoin("rtc_unknown");
        assertThat(send(twilioEvent("callId=rtc_unknown", unknownJoin, sign("callId=rtc_unknown", unknownJoin)))
                .status()).isEqualTo(204);
        assertThat(drain(queueUrl(callId))).isEmpty();
        assertThat(store.events(callId, null, 10).items()).isEmpty();

        Map<String, String> noCallId = humanJoin(callId);
        assertError(send(twilioEvent("other=1", noCallId, sign("other=1", noCallId))), 400, "invalid_request");
    }

    @Test
    void whenTheAiStaysTheHumanJoinIsOnlyRecorded() {
        ControlHandler aiStays = handler(Map.of("WARM_TRANSFER_AI_LEAVES", "false"));
        String callId = seeder.attached(START);
        String query = "callId=" + callId;
        Map<String, String> params = humanJoin(callId);
        assertThat(send(aiStays, twilioEvent(query, params, sign(query, params))).status()).isEqualTo(204);
        assertThat(drain(queueUrl(callId))).isEmpty();
        assertThat(store.events(callId, null, 10).items()).extracting(e -> e.kind())
                .containsExactly("transfer_human_joined");
    }

    /** The human participant's own call-progress callback (what the worker configures on the participant it dials). */
    private Map<String, String> humanLegProgress(String callStatus) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("AccountSid", TestKeys.TWILIO_ACCOUNT_SID);
        params.put("ApiVersion", "2010-04-01");
        params.put("CallSid", "CA00000000000000000000000000000002");
        params.put("CallStatus", callStatus);
        params.put("CallbackSource", "call-progress-events");
        params.put("Direction", "outbound-api");
        params.put("From", "+15550001111");
        params.put("To", "+15551230000");
        params.put("SequenceNumber", "2");
        params.put("Timestamp", "Tue, 24 Nov 2026 10:00:05 +0000");
        return params;
    }

    @Test
    void aSignedHumanLegAnsweredCallbackCompletesTheWarmTransferOnceAcrossBothSignals() {
        String callId = seeder.attached(START);
        String query = "callId=" + callId + "&leg=human";
        for (String early : List.of("initiated", "ringing")) {
            Map<String, String> params = humanLegProgress(early);
            assertThat(send(twilioEvent(query, params, sign(query, params))).status()).isEqualTo(204);
        }
        assertThat(drain(queueUrl(callId))).isEmpty();

        Map<String, String> answered = humanLegProgress("in-progress");
        Reply reply = send(twilioEvent(query, answered, sign(query, answered)));
        assertThat(reply.status()).isEqualTo(204);
        List<ControlMessage> sent = drain(queueUrl(callId));
        assertThat(sent).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(CommandType.HANGUP);
            assertThat(m.args().get("reason").asText()).isEqualTo("warm_transfer_complete");
        });
        var events = store.events(callId, null, 10).items();
        assertThat(events).extracting(e -> e.kind()).containsExactly("transfer_human_joined");
        assertThat(events.getFirst().details().get("signal").asText()).isEqualTo("human-answered");
        assertThat(events.getFirst().details().get("commandId").asText()).isEqualTo(sent.getFirst().commandId());

        // the same human later reported again, by its own callback or by the conference: no second hang-up
        Map<String, String> answeredEvent = humanLegProgress("in-progress");
        answeredEvent.put("StatusCallbackEvent", "answered");
        assertThat(send(twilioEvent(query, answeredEvent, sign(query, answeredEvent))).status()).isEqualTo(204);
        String plainQuery = "callId=" + callId;
        Map<String, String> join = humanJoin(callId);
        assertThat(send(twilioEvent(plainQuery, join, sign(plainQuery, join))).status()).isEqualTo(204);
        Map<String, String> completed = humanLegProgress("completed");
        assertThat(send(twilioEvent(query, completed, sign(query, completed))).status()).isEqualTo(204);
        assertThat(drain(queueUrl(callId))).isEmpty();
        assertThat(store.events(callId, null, 10).items()).hasSize(1);
    }

    @Test
    void anAnsweredEventAloneCountsForTheHumanLeg() {
        String callId = seeder.attached(START);
        String query = "callId=" + callId + "&leg=human";
        Map<String, String> params = humanLegProgress("ringing");
        params.remove("CallStatus");
        params.put("StatusCallbackEvent", "answered");
        assertThat(send(twilioEvent(query, params, sign(query, params))).status()).isEqualTo(204);
        assertThat(drain(queueUrl(callId))).singleElement()
                .satisfies(m -> assertThat(m.type()).isEqualTo(CommandType.HANGUP));
    }

    @Test
    void callProgressOfAnotherLegOrAForgedHumanLegChangesNothing() {
        String callId = seeder.attached(START);
        Map<String, String> answered = humanLegProgress("in-progress");
        // not the human's leg: no leg=human in the signed URL
        String plainQuery = "callId=" + callId;
        assertThat(send(twilioEvent(plainQuery, answered, sign(plainQuery, answered))).status()).isEqualTo(204);
        String otherLeg = "callId=" + callId + "&leg=caller";
        assertThat(send(twilioEvent(otherLeg, answered, sign(otherLeg, answered))).status()).isEqualTo(204);
        // forged: leg=human added to a URL signed without it, wrong key, no signature, changed status
        String query = "callId=" + callId + "&leg=human";
        assertError(send(twilioEvent(query, answered, sign(plainQuery, answered))), 403, "forbidden");
        assertError(send(twilioEvent(query, answered, TwilioSigner.sign("wrong-token", TestConfigs.CALLBACK_URL + "?"
                + query, answered))), 403, "forbidden");
        assertError(send(twilioEvent(query, answered, null)), 403, "forbidden");
        Map<String, String> ringing = humanLegProgress("ringing");
        assertError(send(twilioEvent(query, answered, sign(query, ringing))), 403, "forbidden");

        assertThat(drain(queueUrl(callId))).isEmpty();
        assertThat(store.events(callId, null, 10).items()).isEmpty();
        assertThat(seeder.get(callId).status()).isEqualTo(ai.phoneagent.call.CallStatus.ATTACHED);
    }

    @Test
    void whenTheAiStaysTheHumanLegAnswerIsOnlyRecorded() {
        ControlHandler aiStays = handler(Map.of("WARM_TRANSFER_AI_LEAVES", "false"));
        String callId = seeder.attached(START);
        String query = "callId=" + callId + "&leg=human";
        Map<String, String> params = humanLegProgress("in-progress");
        assertThat(send(aiStays, twilioEvent(query, params, sign(query, params))).status()).isEqualTo(204);
        assertThat(drain(queueUrl(callId))).isEmpty();
        assertThat(store.events(callId, null, 10).items()).extracting(e -> e.kind())
                .containsExactly("transfer_human_joined");
    }

    @Test
    void withoutTwilioConfigurationTheCallbackIs503() {
        ControlHandler noTwilio = handler(Map.of("TWILIO_STATUS_CALLBACK_URL", ""));
        String callId = seeder.attached(START);
        String query = "callId=" + callId;
        Map<String, String> params = humanJoin(callId);
        assertError(send(noTwilio, twilioEvent(query, params, sign(query, params))), 503, "twilio_not_configured");
        assertThat(drain(queueUrl(callId))).isEmpty();
    }
}
