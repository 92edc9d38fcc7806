package ai.phoneagent.control.api;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Reads a route's JSON body: empty (or whitespace) is {@code {}}; anything else must be one JSON object whatever
 * the content type says (the proxy forwards JSON); unknown fields are the caller's business.
 */
public final class JsonBodies {
    private static final ObjectReader READER = Json.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private JsonBodies() {
    }

    /** The body as a JSON object; 400 {@code invalid_request} when malformed, 413 when too large. */
    public static ObjectNode object(ApiRequest request) {
        byte[] body = request.body();
        if (isBlank(body)) {
            return Json.object();
        }
        JsonNode node;
        try {
            node = READER.readTree(body);
        } catch (IOException | RuntimeException e) {
            throw ApiError.invalidRequest("Request body is not valid JSON");
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Json.object();
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiError.invalidRequest("Request body must be a JSON object");
        }
        return object;
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /** An optional string field: null when absent or JSON null, 400 when another type or longer than {@code max}. */
    public static String optionalText(ObjectNode body, String field, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.invalidRequest("'" + field + "' must be a string");
        }
        String text = value.asText();
        if (text.length() > max) {
            throw ApiError.invalidRequest("'" + field + "' must be at most " + max + " characters");
        }
        return text;
    }

    /** An optional boolean field: null when absent or JSON null, 400 when another type. */
    public static Boolean optionalBoolean(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw ApiError.invalidRequest("'" + field + "' must be true or false");
        }
        return value.asBoolean();
    }
}
