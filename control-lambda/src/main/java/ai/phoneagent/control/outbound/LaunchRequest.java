package ai.phoneagent.control.outbound;

import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.Ids;
import ai.phoneagent.control.api.JsonBodies;
import ai.phoneagent.json.Json;
import ai.phoneagent.outbound.LaunchKeys;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;

/**
 * A validated launch request, from either body shape: ours ({@code POST /control/outbound}) or the original
 * dashboard's ({@code POST /control/outbound/launch}, whose nullable fields arrive as JSON {@code null}).
 */
public record LaunchRequest(String launchId, String to, String templateId, String calleeName, String objective,
                            String instructions, String opening, String voice, String model, String metadata,
                            String idempotencyKey) {
    static final int MAX_INSTRUCTIONS = 12_000;
    static final int MAX_OPENING = 1_000;
    private static final Pattern VOICE = Pattern.compile("[A-Za-z0-9_\\-]{1,40}");
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9_.:\\-]{1,80}");

    /**
     * {@code POST /control/outbound}: the launch id is the body's {@code launch_id} when given, else the
     * Idempotency-Key's (same key, same launch), else fresh.
     */
    static LaunchRequest ours(ObjectNode body, String idempotencyKey) {
        String launchId = body.hasNonNull("launch_id") ? launchId(body)
                : idempotencyKey == null ? LaunchKeys.newLaunchId() : LaunchKeys.launchIdFor(idempotencyKey);
        JsonNode metadata = body.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
            throw ApiError.invalidRequest("'metadata' must be a JSON object");
        }
        String metadataJson = metadata == null || metadata.isNull() ? null : Json.write(metadata);
        if (metadataJson != null && metadataJson.length() > 4096) {
            throw ApiError.invalidRequest("'metadata' must be at most 4096 characters as JSON");
        }
        return build(launchId, body, "to", "template", "callee_name", "objective", "instructions", "opening", "voice",
                "model", metadataJson, idempotencyKey);
    }

    /** {@code POST /control/outbound/launch}: the dashboard names the launch. */
    static LaunchRequest dashboard(ObjectNode body, String idempotencyKey) {
        return build(launchId(body), body, "to", "template_id", "callee_name", "objective_note", "instruction_block",
                "opening_script", "voice_override", "model_override", null, idempotencyKey);
    }

    private static String launchId(ObjectNode body) {
        JsonNode id = body.get("launch_id");
        if (id == null || !id.isTextual() || !Ids.isValidId(id.asText())) {
            throw new ApiError(400, OutboundCodes.INVALID_LAUNCH_ID, "launch_id must be 1-64 letters, digits, - or _");
        }
        return id.asText();
    }

    private static LaunchRequest build(String launchId, ObjectNode body, String to, String template, String callee,
                                       String objective, String instructions, String opening, String voice,
                                       String model, String metadata, String idempotencyKey) {
        JsonNode target = body.get(to);
        String number = target != null && target.isTextual() ? target.asText().strip() : null;
        if (number == null || !OutboundSettings.isE164(number)) {
            throw new ApiError(400, OutboundCodes.INVALID_TARGET, "'" + to + "' must be an E.164 number (+15551234567)");
        }
        String templateId = JsonBodies.optionalText(body, template, 64);
        if (templateId != null && !Ids.isValidId(templateId)) {
            throw ApiError.invalidRequest("'" + template + "' must be 1-64 letters, digits, - or _");
        }
        String voiceValue = blankToNull(JsonBodies.optionalText(body, voice, 40));
        String modelValue = blankToNull(JsonBodies.optionalText(body, model, 80));
        validateVoiceAndModel(voiceValue, modelValue);
        return new LaunchRequest(launchId, number, templateId,
                blankToNull(JsonBodies.optionalText(body, callee, 200)),
                blankToNull(JsonBodies.optionalText(body, objective, 2_000)),
                blankToNull(JsonBodies.optionalText(body, instructions, MAX_INSTRUCTIONS)),
                JsonBodies.optionalText(body, opening, MAX_OPENING), // empty is meaningful: the model opens
                voiceValue, modelValue, metadata, idempotencyKey);
    }

    /** 400 unless each is absent or a plausible voice / model name. */
    static void validateVoiceAndModel(String voice, String model) {
        if (voice != null && !VOICE.matcher(voice).matches()) {
            throw ApiError.invalidRequest("voice must be a voice name (letters, digits, - or _)");
        }
        if (model != null && !MODEL.matcher(model).matches()) {
            throw ApiError.invalidRequest("model must be a model name");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
