package ai.phoneagent.worker.tools;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import ai.phoneagent.tools.ToolCatalog;
import ai.phoneagent.tools.ToolRegistry;
import ai.phoneagent.tools.TransferConfig;
import ai.phoneagent.worker.realtime.FunctionCall;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class ToolRunnerTest {
    /** Records what the runner does to the call; no socket, no store. */
    static final class FakeContext implements ToolHost {
        final List<JsonNode> sent = new CopyOnWriteArrayList<>();
        final List<String> eventKinds = new CopyOnWriteArrayList<>();
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        volatile String hangupReason;

        @Override
        public String callId() {
            return "rtc_test";
        }

        @Override
        public CallRecord call() {
            return new CallRecord("rtc_test", CallStatus.ATTACHED, "wh_1", "sip:+14255551212@example.com",
                    "sip:+18005551212@example.com", List.of(), null, null, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH,
                    null, null, null, "w", null, null, 0, 1, CallRecord.INBOUND, null, null, null);
        }

        @Override
        public boolean send(String clientEvent) {
            try {
                sent.add(Json.parse(clientEvent));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return true;
        }

        @Override
        public void recordEvent(String kind, JsonNode details) {
            eventKinds.add(kind);
            events.add(details);
        }

        @Override
        public void hangupAfterResponse(String reason) {
            hangupReason = reason;
        }

        List<JsonNode> outputs() {
            return sent.stream().filter(e -> e.path("item").path("type").asText().equals("function_call_output")).toList();
        }

        JsonNode lastOutput() throws Exception {
            return Json.parse(outputs().getLast().path("item").path("output").asText());
        }

        long responseCreates() {
            return sent.stream().filter(e -> e.path("type").asText().equals("response.create")).count();
        }
    }

    /** A store with no client: the service's own event writes fail and are logged, which refusals tolerate. */
    private static TransferService transfer(Map<String, String> env) {
        TransferConfig config = TransferConfig.fromEnv(Env.of(env));
        return new TransferService(config, null, (sid, token) -> {
            throw new AssertionError("no Twilio in unit tests");
        }, Optional.empty(), new CallStore(null, "unused"), Clock.systemUTC());
    }

    private static ToolRunner runner(FakeContext context, TransferService transfer) {
        ToolRegistry registry = ToolRegistry.of(new ToolCatalog(transfer.config(), true, List.of()));
        return new ToolRunner(registry, transfer, new OkHttpClient(), Clock.systemUTC(), context, Runnable::run);
    }

    @Test
    void a_function_call_announced_three_times_runs_once() throws Exception {
        FakeContext context = new FakeContext();
        ToolRunner tools = runner(context, transfer(Map.of()));
        FunctionCall call = new FunctionCall("call_1", "no_such_tool", "{}");
        assertThat(tools.onFunctionCall(call)).isTrue();
        assertThat(tools.onFunctionCall(call)).isFalse();
        assertThat(tools.onFunctionCall(call)).isFalse();
        assertThat(context.outputs()).hasSize(1);
        assertThat(context.responseCreates()).isEqualTo(1);
        assertThat(tools.handledCount()).isEqualTo(1);
    }

    @Test
    void different_call_ids_each_run() {
        FakeContext context = new FakeContext();
        ToolRunner tools = runner(context, transfer(Map.of()));
        tools.onFunctionCall(new FunctionCall("call_1", "x", "{}"));
        tools.onFunctionCall(new FunctionCall("call_2", "x", "{}"));
        assertThat(context.outputs()).hasSize(2);
    }

    @Test
    void an_unknown_tool_gets_a_speakable_error_and_the_model_is_asked_to_respond() throws Exception {
        FakeContext context = new FakeContext();
        runner(context, transfer(Map.of())).onFunctionCall(new FunctionCall("call_1", "launch_rockets", "{}"));
        assertThat(context.lastOutput().path("ok").asBoolean()).isFalse();
        assertThat(context.lastOutput().path("error").asText()).isNotBlank();
        assertThat(context.sent.getLast().path("type").asText()).isEqualTo("response.create");
    }

    @Test
    void arguments_that_are_not_a_json_object_give_an_error_output() throws Exception {
        FakeContext context = new FakeContext();
        runner(context, transfer(Map.of())).onFunctionCall(new FunctionCall("call_1", "transfer_to_human", "{oops"));
        assertThat(context.lastOutput().path("ok").asBoolean()).isFalse();
    }

    @Test
    void end_call_asks_for_a_hang_up_after_the_response_and_does_not_make_the_model_speak_again() throws Exception {
        FakeContext context = new FakeContext();
        runner(context, transfer(Map.of())).onFunctionCall(new FunctionCall("call_9", "end_call", "{\"reason\":\"done\"}"));
        assertThat(context.hangupReason).isEqualTo("done");
        assertThat(context.lastOutput().path("ok").asBoolean()).isTrue();
        assertThat(context.responseCreates()).isZero();
        assertThat(context.eventKinds).contains("tool_call", "tool_result");
    }

    @Test
    void a_phone_number_in_transfer_arguments_is_refused_and_recorded() throws Exception {
        FakeContext context = new FakeContext();
        var service = transfer(Map.of("TRANSFER_MODE", "cold", "HUMAN_AGENT_NUMBER", "+15550001111"));
        runner(context, service).onFunctionCall(new FunctionCall("call_1", "transfer_to_human",
                "{\"target\":\"+1 (900) 555-0199\",\"reason\":\"caller asked\"}"));
        assertThat(context.lastOutput().path("ok").asBoolean()).isFalse();
        assertThat(context.eventKinds).contains("transfer_refused");
        JsonNode refusal = context.events.get(context.eventKinds.indexOf("transfer_refused"));
        assertThat(refusal.path("error").asText()).isEqualTo("address_in_arguments");
    }

    @Test
    void an_address_smuggled_in_another_argument_is_refused() throws Exception {
        FakeContext context = new FakeContext();
        var service = transfer(Map.of("TRANSFER_MODE", "cold", "HUMAN_AGENT_NUMBER", "+15550001111"));
        runner(context, service).onFunctionCall(new FunctionCall("call_1", "transfer_to_human",
                "{\"number\":\"sip:attacker@evil.example\"}"));
        assertThat(context.lastOutput().path("ok").asBoolean()).isFalse();
        assertThat(context.eventKinds).contains("transfer_refused");
    }

    @Test
    void refusing_keeps_the_model_talking() {
        FakeContext context = new FakeContext();
        runner(context, transfer(Map.of())).onFunctionCall(new FunctionCall("c", "transfer_to_human", "{}"));
        assertThat(context.responseCreates()).isEqualTo(1);
        List<String> types = new ArrayList<>();
        context.sent.forEach(e -> types.add(e.path("type").asText()));
        assertThat(types).containsExactly("conversation.item.create", "response.create");
    }
}
