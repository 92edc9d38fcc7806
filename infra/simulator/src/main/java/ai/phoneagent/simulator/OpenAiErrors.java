package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import mockwebserver3.MockResponse;

/** HTTP answers in OpenAI's shape: empty 200s and {@code {"error":{"message","type","param","code"}}}. */
final class OpenAiErrors {
    private OpenAiErrors() {
    }

    static MockResponse ok() {
        return new MockResponse.Builder().code(200).build();
    }

    static MockResponse json(int status, Object body) {
        return new MockResponse.Builder()
                .code(status)
                .setHeader("Content-Type", "application/json")
                .body(Json.write(body))
                .build();
    }

    static MockResponse error(int status, String message, String type, String param, String code) {
        ObjectNode error = Json.object();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        ObjectNode body = Json.object();
        body.set("error", error);
        return json(status, body);
    }

    static MockResponse unauthorized() {
        return error(401, "Incorrect API key provided. You can find your API key at"
                + " https://platform.openai.com/account/api-keys.", "invalid_request_error", null, "invalid_api_key");
    }

    static MockResponse callNotFound(String callId) {
        return error(404, "Call '" + callId + "' not found.", "invalid_request_error", null, "call_not_found");
    }

    static MockResponse invalidUrl(String method, String path) {
        return error(404, "Invalid URL (" + method + " " + path + ")", "invalid_request_error", null, null);
    }
}
