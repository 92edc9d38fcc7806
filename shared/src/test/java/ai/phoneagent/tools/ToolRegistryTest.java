package ai.phoneagent.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class ToolRegistryTest {
    private static final String ORDERS = """
            {"name": "order_status", "description": "Looks up an order.", "url": "http://127.0.0.1:9/orders",
             "parameters": {"type": "object", "properties": {"order": {"type": "string"}}, "required": ["order"]}}""";
    private static final String HOURS = """
            {"name": "opening_hours", "description": "Today's opening hours.", "url": "http://127.0.0.1:9/hours"}""";

    private static ToolCatalog config(boolean endCall, String... httpTools) {
        TransferConfig transfer = TransferConfig.fromEnv(Env.of(Map.of("TRANSFER_MODE", "cold",
                "TRANSFER_TARGETS", "sales=+15550002222,support=sip:support@pbx.example.com")));
        return new ToolCatalog(transfer, endCall,
                HttpToolsFile.parse("[" + String.join(",", httpTools) + "]", Env.of(Map.of())));
    }

    @Test
    void everyOfferedDefinitionIsARunnableTool() {
        ToolRegistry registry = ToolRegistry.of(config(true, ORDERS, HOURS));
        assertThat(registry.definitions()).extracting(ToolDefinition::name)
                .containsExactly("transfer_to_human", "end_call", "order_status", "opening_hours")
                .containsExactlyElementsOf(registry.names());
        for (ToolDefinition offered : registry.definitions()) {
            Tool tool = registry.tool(offered.name()).orElseThrow();
            assertThat(tool.definition()).isEqualTo(offered);
        }
        assertThat(registry.tool("launch_rockets")).isEmpty();
        assertThat(registry.tool(null)).isEmpty();
    }

    @Test
    void onlyConfiguredToolsAreRegistered() {
        ToolRegistry none = ToolRegistry.fromEnv(Env.of(Map.of("END_CALL_ENABLED", "false")));
        assertThat(none.definitions()).isEmpty();
        assertThat(ToolRegistry.fromEnv(Env.of(Map.of())).names()).containsExactly("end_call");
    }

    @Test
    void aNameRegisteredTwiceIsRefused() {
        assertThatThrownBy(() -> new ToolRegistry(List.of(new EndCallTool(), new EndCallTool())))
                .hasMessageContaining("end_call");
    }

    @Test
    void theFingerprintIsSixteenHexCharactersAndIgnoresTheOrderOfConfiguration() {
        String fingerprint = ToolRegistry.of(config(true, ORDERS, HOURS)).fingerprint();
        assertThat(fingerprint).matches("[0-9a-f]{16}");
        assertThat(ToolRegistry.of(config(true, HOURS, ORDERS)).fingerprint()).isEqualTo(fingerprint);
        String ordersKeysReordered = """
                {"url": "http://127.0.0.1:9/other", "parameters": {"required": ["order"], "properties":
                 {"order": {"type": "string"}}, "type": "object"}, "description": "Looks up an order.", "name": "order_status"}""";
        assertThat(ToolRegistry.of(config(true, HOURS, ordersKeysReordered)).fingerprint())
                .as("same definitions, keys in another order (the URL is not offered to the model)")
                .isEqualTo(fingerprint);
    }

    @Test
    void theFingerprintChangesWhenAnOfferedToolChanges() {
        String fingerprint = ToolRegistry.of(config(true, ORDERS, HOURS)).fingerprint();
        String describedOtherwise = ORDERS.replace("Looks up an order.", "Finds an order.");
        String newParameter = ORDERS.replace("\"order\": {\"type\": \"string\"}",
                "\"order\": {\"type\": \"string\"}, \"zip\": {\"type\": \"string\"}");
        assertThat(List.of(
                ToolRegistry.of(config(true, describedOtherwise, HOURS)).fingerprint(),
                ToolRegistry.of(config(true, newParameter, HOURS)).fingerprint(),
                ToolRegistry.of(config(true, ORDERS)).fingerprint(),
                ToolRegistry.of(config(false, ORDERS, HOURS)).fingerprint()))
                .doesNotContain(fingerprint)
                .doesNotHaveDuplicates();
    }

    @Test
    void theFingerprintOfTheOfferedDefinitionsIsTheRegistrysFingerprint() {
        ToolRegistry registry = ToolRegistry.of(config(true, ORDERS, HOURS));
        assertThat(ToolRegistry.fingerprint(registry.definitions().reversed())).isEqualTo(registry.fingerprint());
    }

    @Test
    void endCallAsksForAHangUpAfterTheGoodbye() {
        RecordingContext context = new RecordingContext();
        Tool endCall = ToolRegistry.of(config(true)).tool(EndCallTool.NAME).orElseThrow();
        ToolResult result = endCall.run(new ToolCall("call_1", EndCallTool.NAME, Json.object()), context);
        assertThat(result.ok()).isTrue();
        assertThat(context.hangupReason.get()).isEqualTo("agent_hangup");
        assertThat(endCall.decidesTheCallsNextStep()).isTrue();
    }

    @Test
    void transferPassesOnlyATargetNameToTheSession() {
        RecordingContext context = new RecordingContext();
        Tool transfer = ToolRegistry.of(config(false)).tool(TransferTool.NAME).orElseThrow();
        transfer.run(new ToolCall("call_1", TransferTool.NAME, Json.object().put("target", "sales").put("reason", "x")),
                context);
        assertThat(context.transferredTo.get()).isEqualTo("sales");

        ToolResult refused = transfer.run(new ToolCall("call_2", TransferTool.NAME,
                Json.object().put("target", "sip:attacker@evil.example")), context);
        assertThat(refused.ok()).isFalse();
        assertThat(context.transferredTo.get()).isEqualTo("sales");
        assertThat(context.eventKind.get()).isEqualTo("transfer_refused");
    }

    /** Records what a tool asks of the call. */
    private static final class RecordingContext implements ToolContext {
        final AtomicReference<String> hangupReason = new AtomicReference<>();
        final AtomicReference<String> transferredTo = new AtomicReference<>();
        final AtomicReference<String> eventKind = new AtomicReference<>();

        @Override
        public String callId() {
            return "rtc_test";
        }

        @Override
        public void recordEvent(String kind, com.fasterxml.jackson.databind.JsonNode details) {
            eventKind.set(kind);
        }

        @Override
        public void hangupAfterResponse(String reason) {
            hangupReason.set(reason);
        }

        @Override
        public ToolResult transfer(String targetName, String reason) {
            transferredTo.set(targetName);
            return ToolResult.success("transferring");
        }

        @Override
        public OkHttpClient http() {
            throw new AssertionError("no HTTP in this test");
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }
    }
}
