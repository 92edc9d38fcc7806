package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP request the connector simulator received (Calls API, WebSocket attach, Responses API or a stray path)
 * and the status it answered.
 * Header names are lower-case; {@link #toString()} never shows the Authorization value.
 */
public record ConnectorRequest(String method, String path, String query, String callId, Endpoint endpoint,
                               Map<String, List<String>> headers, String body, Instant receivedAt, int status) {

    /** Which endpoint a request hit. */
    public enum Endpoint {
        ACCEPT, REJECT, HANGUP, REFER, ATTACH,
        /** {@code POST /v1/responses} (call summaries). */
        RESPONSES, OTHER;

        static Endpoint of(CallVerb verb) {
            return valueOf(verb.name());
        }
    }

    public ConnectorRequest {
        headers = Map.copyOf(headers);
        body = body == null ? "" : body;
    }

    /** The first value of a header (name matched case-insensitively), or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The body parsed as JSON, or null when empty or not JSON. */
    public JsonNode json() {
        return leniently(body);
    }

    /** {@code body} parsed as JSON, or null when empty or not JSON (the fake answers what the real API would). */
    static JsonNode leniently(String body) {
        if (body.isBlank()) {
            return null;
        }
        try {
            return Json.parse(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** True when the request carried the configured API key. */
    public boolean authorized() {
        return status != 401;
    }

    @Override
    public String toString() {
        return "ConnectorRequest[" + method + " " + path + (query == null ? "" : "?" + query)
                + ", endpoint=" + endpoint + ", callId=" + callId + ", status=" + status
                + ", receivedAt=" + receivedAt + ", headers=" + redactedHeaderNames() + ", body=" + body + "]";
    }

    private List<String> redactedHeaderNames() {
        return headers.keySet().stream().sorted()
                .map(name -> name.equals("authorization") ? "authorization=<redacted>" : name + "=" + headers.get(name))
                .toList();
    }
}
