package ai.phoneagent.control.api;

import ai.phoneagent.json.Json;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer: status, headers and a JSON (or empty) body. */
public final class ApiResponse {
    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final String body;

    private ApiResponse(int status, String body) {
        this.status = status;
        this.body = body;
        headers.put("cache-control", "no-store");
    }

    /** A JSON body. */
    public static ApiResponse json(int status, ObjectNode body) {
        ApiResponse response = new ApiResponse(status, Json.write(body));
        response.headers.put("content-type", "application/json");
        return response;
    }

    /** A success body: {@code {"ok": true, ...fields}}. */
    public static ApiResponse ok(int status, ObjectNode fields) {
        ObjectNode body = Json.object().put("ok", true);
        body.setAll(fields);
        return json(status, body);
    }

    /** No body at all (204). */
    public static ApiResponse noContent() {
        return new ApiResponse(204, "");
    }

    public ApiResponse withHeader(String name, String value) {
        headers.put(name.toLowerCase(java.util.Locale.ROOT), value);
        return this;
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return Map.copyOf(headers);
    }

    public String body() {
        return body;
    }

    /** The API Gateway HTTP API (payload v2) form. */
    public APIGatewayV2HTTPResponse toEvent() {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(new LinkedHashMap<>(headers))
                .withBody(body)
                .withIsBase64Encoded(false)
                .build();
    }
}
