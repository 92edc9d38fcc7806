package ai.phoneagent.control.api;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that ends in an error response: status, machine-readable code and a human message that never carries
 * secrets. Thrown by the services and turned into {@code {"ok":false,"error":{...}}} in one place.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final ObjectNode extra = Json.object();

    public ApiError(int status, String code, String message) {
        super(message, null, false, false); // no stack trace: these are answers, not bugs
        this.status = status;
        this.code = code;
    }

    public static ApiError invalidRequest(String message) {
        return new ApiError(400, ErrorCode.INVALID_REQUEST, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Adds a top-level field beside {@code ok} and {@code error} (e.g. {@code command_id}). */
    public ApiError with(String field, String value) {
        extra.put(field, value);
        return this;
    }

    /** Adds a response header. */
    public ApiError header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public ApiResponse toResponse() {
        ObjectNode body = Json.object();
        body.put("ok", false);
        body.putObject("error").put("code", code).put("message", getMessage());
        body.setAll(extra);
        ApiResponse response = ApiResponse.json(status, body);
        headers.forEach(response::withHeader);
        return response;
    }
}
