package ai.phoneagent.agent;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import ai.phoneagent.tools.ToolRegistry;
import ai.phoneagent.tools.ToolDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Who the agent is on a call: model, voice, prompt, transcription and tools; builds the accept body. */
public record AgentProfile(String model, String voice, String instructions, String transcriptionModel,
                           Optional<String> transcriptionLanguage, List<ToolDefinition> tools) {
    public static final String DEFAULT_MODEL = "gpt-realtime";
    public static final String DEFAULT_VOICE = "alloy";
    public static final String DEFAULT_TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe";
    static final String BUNDLED_PROMPT = "/ai/phoneagent/agent/agent_prompt.md";

    public AgentProfile {
        tools = List.copyOf(tools);
    }

    /** Reads the profile from configuration; {@code PROMPT_PATH} defaults to the bundled prompt. */
    public static AgentProfile fromEnv(Env env, ToolRegistry tools) {
        String instructions = env.optional("PROMPT_PATH").map(AgentProfile::readPrompt).orElseGet(AgentProfile::bundledPrompt);
        return new AgentProfile(
                env.get("OPENAI_MODEL", DEFAULT_MODEL),
                env.get("OPENAI_VOICE", DEFAULT_VOICE),
                instructions,
                env.get("INPUT_TRANSCRIPTION_MODEL", DEFAULT_TRANSCRIPTION_MODEL),
                env.optional("INPUT_TRANSCRIPTION_LANGUAGE"),
                tools.definitions());
    }

    /** The fingerprint of the tools offered (see {@link ToolRegistry#fingerprint(List)}), stored on the call at accept. */
    public String toolCatalogFingerprint() {
        return ToolRegistry.fingerprint(tools);
    }

    /**
     * The Realtime session object for {@code POST /accept}. Deliberately omits {@code audio.*.format} (SIP
     * negotiates it) and the VAD tuning fields SIP rejects.
     */
    public ObjectNode acceptBody() {
        ObjectNode body = Json.object();
        body.put("type", "realtime");
        body.put("model", model);
        body.put("instructions", instructions);
        body.putArray("output_modalities").add("audio");
        ObjectNode transcription = Json.object().put("model", transcriptionModel);
        transcriptionLanguage.ifPresent(lang -> transcription.put("language", lang));
        ObjectNode input = Json.object();
        input.set("transcription", transcription);
        input.set("turn_detection", Json.object().put("type", "semantic_vad").put("interrupt_response", true));
        ObjectNode audio = Json.object();
        audio.set("input", input);
        audio.set("output", Json.object().put("voice", voice));
        body.set("audio", audio);
        if (!tools.isEmpty()) {
            ArrayNode list = body.putArray("tools");
            tools.forEach(t -> list.add(t.toSessionTool()));
            body.put("tool_choice", "auto");
        }
        return body;
    }

    private static String readPrompt(String path) {
        try {
            String text = Files.readString(Path.of(path));
            if (text.isBlank()) {
                throw new ConfigException("PROMPT_PATH", "names an empty file");
            }
            return text.strip();
        } catch (IOException e) {
            throw new ConfigException("PROMPT_PATH", "names a file that cannot be read");
        }
    }

    static String bundledPrompt() {
        try (InputStream in = AgentProfile.class.getResourceAsStream(BUNDLED_PROMPT)) {
            if (in == null) {
                throw new IllegalStateException("bundled prompt missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("bundled prompt unreadable", e);
        }
    }
}
