package ai.phoneagent.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import ai.phoneagent.tools.ToolRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentProfileTest {
    @TempDir
    Path dir;

    private static JsonNode golden(String name) throws Exception {
        try (InputStream in = AgentProfileTest.class.getResourceAsStream("/agent/" + name)) {
            return Json.mapper().readTree(in);
        }
    }

    private AgentProfile profile(Map<String, String> vars) throws Exception {
        Path prompt = dir.resolve("prompt.md");
        Files.writeString(prompt, "You are a test agent.\n");
        Env env = Env.of(vars).withDefaults(Map.of("PROMPT_PATH", prompt.toString()));
        return AgentProfile.fromEnv(env, ToolRegistry.fromEnv(env));
    }

    @Test
    void minimalConfigurationBuildsTheGoldenAcceptBody() throws Exception {
        assertThat(profile(Map.of("END_CALL_ENABLED", "false")).acceptBody()).isEqualTo(golden("accept-minimal.json"));
    }

    @Test
    void fullConfigurationBuildsTheGoldenAcceptBodyWithOnlyConfiguredTools() throws Exception {
        Path tools = dir.resolve("tools.json");
        Files.writeString(tools, """
                {"tools": [{"name": "crm_lookup", "description": "Look up the caller in the CRM.",
                            "parameters": {"type": "object", "properties": {"phone": {"type": "string"}}},
                            "url": "https://crm.example.com/lookup", "timeout_ms": 2000,
                            "headers": {"Authorization": "Bearer ${CRM_TOKEN}"}}]}
                """);
        var profile = profile(Map.of(
                "OPENAI_MODEL", "gpt-realtime-2025-08-28",
                "OPENAI_VOICE", "marin",
                "INPUT_TRANSCRIPTION_MODEL", "gpt-4o-transcribe",
                "INPUT_TRANSCRIPTION_LANGUAGE", "en",
                "HUMAN_AGENT_NUMBER", "+14155550123",
                "TRANSFER_TARGETS", "billing=sip:billing@pbx.example.com;cold",
                "TWILIO_ACCOUNT_SID", "AC123",
                "TWILIO_AUTH_TOKEN", "token",
                "HTTP_TOOLS_PATH", tools.toString(),
                "CRM_TOKEN", "crm-secret"));
        assertThat(profile.acceptBody()).isEqualTo(golden("accept-full.json"));
        assertThat(Json.write(profile.acceptBody())).doesNotContain("crm-secret").doesNotContain("crm.example.com");
    }

    @Test
    void neverSendsAudioFormatsOrVadTuningThatSipRejects() throws Exception {
        JsonNode body = profile(Map.of()).acceptBody();
        assertThat(body.at("/audio/input/format").isMissingNode()).isTrue();
        assertThat(body.at("/audio/output/format").isMissingNode()).isTrue();
        JsonNode vad = body.at("/audio/input/turn_detection");
        assertThat(vad.has("threshold") || vad.has("prefix_padding_ms") || vad.has("silence_duration_ms")).isFalse();
        assertThat(body.get("type").asText()).isEqualTo("realtime");
    }

    @Test
    void usesTheBundledPromptByDefault() {
        Env env = Env.of(Map.of());
        AgentProfile profile = AgentProfile.fromEnv(env, ToolRegistry.fromEnv(env));
        assertThat(profile.instructions()).contains("transfer_to_human").contains("end_call");
    }

    @Test
    void unreadablePromptPathFailsNamingTheVariable() {
        Env env = Env.of(Map.of("PROMPT_PATH", dir.resolve("missing.md").toString()));
        assertThatThrownBy(() -> AgentProfile.fromEnv(env, ToolRegistry.fromEnv(env)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid configuration: PROMPT_PATH names a file that cannot be read");
    }
}
