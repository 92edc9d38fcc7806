package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * {@code POST /v1/responses} with {@code text.format} of type {@code json_schema}: checks the key and the request
 * as OpenAI does (model, input, a named schema, strict-mode rules, {@code max_output_tokens} ≥ 16), then answers
 * a response object whose {@code output_text} is a JSON object valid against the request's schema, derived
 * deterministically from the input's {@code Caller:}/{@code Agent:} lines. When the answer would not fit
 * {@code max_output_tokens} (about four characters a token) it is cut and the response is {@code incomplete}, as
 * OpenAI's is. Faults: every request answered with a status, after a delay, or both.
 */
final class ResponsesApiHandler {
    static final String PATH = "/v1/responses";
    private static final Pattern FORMAT_NAME = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");

    /** What every request gets instead of the normal answer: {@code status} 0 = the normal answer. */
    record Fault(int status, Duration delay) {
        static final Fault NONE = new Fault(0, Duration.ZERO);
    }

    private final Authorization authorization;
    private final RequestLog<ConnectorRequest> log;
    private final Clock clock;
    private final Supplier<Fault> fault;

    ResponsesApiHandler(Authorization authorization, RequestLog<ConnectorRequest> log, Clock clock,
                        Supplier<Fault> fault) {
        this.authorization = authorization;
        this.log = log;
        this.clock = clock;
        this.fault = fault;
    }

    MockResponse handle(RecordedRequest request) {
        Instant at = clock.instant();
        MockResponse response = answer(request);
        Fault now = fault.get();
        if (now.status() != 0 && authorization.allows(request)) {
            response = OpenAiErrors.error(now.status(), "Simulated Responses API failure.", "server_error", null, null);
        }
        log.add(Requests.record(request, null, ConnectorRequest.Endpoint.RESPONSES, at, response.getCode()));
        if (!now.delay().isZero()) {
            response = response.newBuilder().headersDelay(now.delay().toMillis(), TimeUnit.MILLISECONDS).build();
        }
        return response;
    }

    private MockResponse answer(RecordedRequest request) {
        if (!authorization.allows(request)) {
            return OpenAiErrors.unauthorized();
        }
        if (!request.getMethod().equals("POST")) {
            return OpenAiErrors.invalidUrl(request.getMethod(), PATH);
        }
        JsonNode body;
        try {
            body = Json.parse(Requests.body(request));
        } catch (Exception e) {
            return invalid("We could not parse the JSON body of your request.", null, null);
        }
        if (body == null || !body.isObject()) {
            return invalid("The body must be a JSON object.", null, null);
        }
        if (!body.path("model").isTextual() || body.path("model").asText().isBlank()) {
            return invalid("Missing required parameter: 'model'.", "model", "missing_required_parameter");
        }
        String input = inputText(body.get("input"));
        if (input == null) {
            return invalid("Invalid value for 'input': expected a string or a list of messages.", "input", "invalid_value");
        }
        JsonNode tokens = body.get("max_output_tokens");
        if (tokens != null && !tokens.isNull() && (!tokens.canConvertToInt() || tokens.asInt() < 16)) {
            return invalid("Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16.",
                    "max_output_tokens", "integer_below_min_value");
        }
        JsonNode format = body.path("text").path("format");
        if (!"json_schema".equals(format.path("type").asText())) {
            return invalid("This simulator answers only text.format of type 'json_schema'.", "text.format.type",
                    "invalid_value");
        }
        if (!FORMAT_NAME.matcher(format.path("name").asText("")).matches()) {
            return invalid("Missing or invalid 'text.format.name'.", "text.format.name", "invalid_value");
        }
        JsonNode schema = format.path("schema");
        String problem = schemaProblem(schema, format.path("strict").asBoolean(false));
        if (problem != null) {
            return invalid("Invalid schema for response_format '" + format.path("name").asText() + "': " + problem,
                    "text.format.schema", "invalid_json_schema");
        }
        ObjectNode answer = fit(schema, TranscriptReading.of(input));
        String text = Json.write(answer);
        int limit = tokens == null || tokens.isNull() ? Integer.MAX_VALUE : tokens.asInt();
        boolean cut = (text.length() + 3) / 4 > limit;
        if (cut) {
            text = text.substring(0, Math.min(text.length(), limit * 4));
        }
        ObjectNode response = Json.object().put("id", OpenAiIds.next("resp")).put("object", "response")
                .put("created_at", clock.instant().getEpochSecond()).put("status", cut ? "incomplete" : "completed")
                .put("model", body.path("model").asText());
        response.putNull("error");
        if (cut) {
            response.putObject("incomplete_details").put("reason", "max_output_tokens");
        } else {
            response.putNull("incomplete_details");
        }
        ObjectNode message = response.putArray("output").addObject()
                .put("id", OpenAiIds.next("msg")).put("type", "message")
                .put("status", cut ? "incomplete" : "completed").put("role", "assistant");
        message.putArray("content").addObject().put("type", "output_text").put("text", text).putArray("annotations");
        int inputTokens = (input.length() + 3) / 4;
        int outputTokens = (text.length() + 3) / 4;
        response.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", outputTokens)
                .put("total_tokens", inputTokens + outputTokens);
        return OpenAiErrors.json(200, response);
    }

    private static MockResponse invalid(String message, String param, String code) {
        return OpenAiErrors.error(400, message, "invalid_request_error", param, code);
    }

    /** The input's text: a string, or the text parts of a list of messages, one per line. */
    private static String inputText(JsonNode input) {
        if (input == null || input.isNull()) {
            return null;
        }
        if (input.isTextual()) {
            return input.asText();
        }
        if (!input.isArray()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode message : input) {
            JsonNode content = message.path("content");
            if (content.isTextual()) {
                parts.add(content.asText());
            } else if (content.isArray()) {
                content.forEach(part -> {
                    if (part.path("text").isTextual()) {
                        parts.add(part.path("text").asText());
                    }
                });
            } else {
                return null;
            }
        }
        return String.join("\n", parts);
    }

    /** OpenAI's strict-mode rules for an object schema: every property required, no additional properties. */
    private static String schemaProblem(JsonNode schema, boolean strict) {
        if (!"object".equals(schema.path("type").asText()) || !schema.path("properties").isObject()) {
            return "the root must be an object schema with 'properties'.";
        }
        if (!strict) {
            return null;
        }
        if (schema.path("additionalProperties").asBoolean(true)) {
            return "'additionalProperties' is required to be supplied and to be false.";
        }
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        for (var names = schema.path("properties").fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!required.contains(name)) {
                return "'required' is required to be supplied and to be an array including every key in properties. "
                        + "Missing '" + name + "'.";
            }
        }
        return null;
    }

    /** An object with every property of {@code schema}: the reading's value where it fits the type, else a default. */
    private static ObjectNode fit(JsonNode schema, TranscriptReading reading) {
        ObjectNode out = Json.object();
        for (var fields = schema.path("properties").fields(); fields.hasNext(); ) {
            var field = fields.next();
            JsonNode property = field.getValue();
            Object value = reading.value(field.getKey());
            switch (property.path("type").asText()) {
                case "boolean" -> out.put(field.getKey(), value instanceof Boolean b && b);
                case "integer", "number" -> out.put(field.getKey(), value instanceof Number n ? n.longValue() : 0);
                default -> {
                    String text = value instanceof String s ? s : "";
                    ArrayNode choices = property.has("enum") && property.get("enum").isArray()
                            ? (ArrayNode) property.get("enum") : null;
                    if (choices != null && !choices.isEmpty()) {
                        boolean allowed = false;
                        for (JsonNode choice : choices) {
                            allowed |= choice.asText().equals(text);
                        }
                        text = allowed ? text : choices.get(0).asText();
                    }
                    out.put(field.getKey(), text);
                }
            }
        }
        return out;
    }

    /** What the simulator "understands" of a transcript of {@code Caller:} and {@code Agent:} lines. */
    record TranscriptReading(List<String> caller, List<String> agent, String lower) {
        static TranscriptReading of(String input) {
            List<String> caller = new ArrayList<>();
            List<String> agent = new ArrayList<>();
            for (String line : input.split("\n")) {
                String trimmed = line.strip();
                if (trimmed.startsWith("Caller:")) {
                    caller.add(trimmed.substring(7).strip());
                } else if (trimmed.startsWith("Agent:")) {
                    agent.add(trimmed.substring(6).strip());
                }
            }
            return new TranscriptReading(caller, agent, input.toLowerCase(Locale.ROOT));
        }

        Object value(String field) {
            return switch (field) {
                case "summary" -> summary();
                case "reason" -> caller.isEmpty() ? "unknown" : clip(caller.getFirst(), 160);
                case "outcome" -> lower.contains("transfer") ? "transferred" : agent.isEmpty() || caller.isEmpty()
                        ? "abandoned" : "resolved";
                case "follow_up_needed" -> followUp();
                case "follow_up" -> followUp() ? "Call the caller back." : "";
                case "sentiment" -> containsAny("angry", "upset", "terrible", "awful", "frustrated", "complain")
                        ? "negative" : containsAny("thank", "great", "perfect", "wonderful") ? "positive" : "neutral";
                default -> null;
            };
        }

        private String summary() {
            String said = caller.isEmpty() ? "The caller said nothing" : "The caller said \"" + clip(caller.getFirst(), 120) + "\"";
            String answered = agent.isEmpty() ? "" : " and the agent answered \"" + clip(agent.getLast(), 120) + "\"";
            return said + answered + " (" + (caller.size() + agent.size()) + " turns).";
        }

        private boolean followUp() {
            return containsAny("call me back", "call back", "callback", "follow up", "follow-up");
        }

        private boolean containsAny(String... words) {
            for (String word : words) {
                if (lower.contains(word)) {
                    return true;
                }
            }
            return false;
        }

        private static String clip(String text, int max) {
            return text.length() <= max ? text : text.substring(0, max - 1) + "…";
        }
    }
}
