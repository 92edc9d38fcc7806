package ai.phoneagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/responses} over the simulator's real HTTP server: schema-valid answers, OpenAI's 400s, faults. */
class ResponsesApiTest {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final String TRANSCRIPT = """
            Transcript:
            Agent: Hello, thanks for calling.
            Caller: I want to transfer my booking, I'm quite upset.
            Agent: Let me transfer you to bookings.
            """;
    private final ConnectorSimulator simulator = ConnectorSimulator.start();

    @AfterEach
    void stop() {
        simulator.close();
    }

    private static ObjectNode request(String input) {
        ObjectNode body = Json.object().put("model", "gpt-test").put("input", input).put("max_output_tokens", 500);
        ObjectNode format = body.putObject("text").putObject("format").put("type", "json_schema").put("name", "call_summary")
                .put("strict", true);
        ObjectNode schema = format.putObject("schema").put("type", "object").put("additionalProperties", false);
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("summary").put("type", "string");
        properties.putObject("reason").put("type", "string");
        properties.putObject("follow_up_needed").put("type", "boolean");
        properties.putObject("sentiment").put("type", "string").putArray("enum").add("positive").add("neutral").add("negative");
        // a field the simulator knows nothing of, and an enum its own guess is not part of
        properties.putObject("priority").put("type", "integer");
        properties.putObject("outcome").put("type", "string").putArray("enum").add("handled").add("dropped");
        var required = schema.putArray("required");
        properties.fieldNames().forEachRemaining(required::add);
        return body;
    }

    private Response post(String key, JsonNode body) throws IOException {
        return RealtimeTestClient.HTTP.newCall(new Request.Builder()
                .url(simulator.baseUrl() + "/v1/responses")
                .header("Authorization", "Bearer " + key)
                .post(RequestBody.create(Json.write(body), JSON))
                .build()).execute();
    }

    private JsonNode answer(JsonNode body) throws IOException {
        try (Response response = post(SimulatorConfig.DEFAULT_API_KEY, body)) {
            assertThat(response.code()).isEqualTo(200);
            return Json.parse(response.body().string());
        }
    }

    private static JsonNode outputText(JsonNode response) throws IOException {
        JsonNode part = response.path("output").get(0).path("content").get(0);
        assertThat(part.path("type").asText()).isEqualTo("output_text");
        return Json.parse(part.path("text").asText());
    }

    @Test
    void answersAnObjectValidAgainstTheRequestsSchemaDerivedDeterministicallyFromTheTranscript() throws IOException {
        JsonNode response = answer(request(TRANSCRIPT));

        assertThat(response.path("object").asText()).isEqualTo("response");
        assertThat(response.path("status").asText()).isEqualTo("completed");
        assertThat(response.path("model").asText()).isEqualTo("gpt-test");
        assertThat(response.path("output").get(0).path("type").asText()).isEqualTo("message");
        assertThat(response.path("usage").path("output_tokens").asInt()).isPositive();
        JsonNode answer = outputText(response);
        assertThat(answer.properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactlyInAnyOrder("summary", "reason", "follow_up_needed", "sentiment", "priority", "outcome");
        assertThat(answer.path("reason").asText()).isEqualTo("I want to transfer my booking, I'm quite upset.");
        assertThat(answer.path("summary").asText()).contains("Let me transfer you to bookings.");
        assertThat(answer.path("sentiment").asText()).isEqualTo("negative");
        assertThat(answer.path("follow_up_needed").isBoolean()).isTrue();
        assertThat(answer.path("priority").isIntegralNumber()).isTrue();
        assertThat(answer.path("outcome").asText()).isEqualTo("handled"); // "transferred" is not allowed here
        assertThat(outputText(answer(request(TRANSCRIPT)))).isEqualTo(answer);
        assertThat(simulator.requests()).filteredOn(r -> r.endpoint() == ConnectorRequest.Endpoint.RESPONSES).hasSize(2);
    }

    @Test
    void aTightTokenBudgetGivesAnIncompleteResponseAsOpenAiDoes() throws IOException {
        JsonNode response = answer(request(TRANSCRIPT).put("max_output_tokens", 16));

        assertThat(response.path("status").asText()).isEqualTo("incomplete");
        assertThat(response.path("incomplete_details").path("reason").asText()).isEqualTo("max_output_tokens");
        assertThat(response.at("/output/0/content/0/text").asText()).hasSize(64);
    }

    @Test
    void badRequestsAre400WithOpenAisErrorShapeAndAWrongKeyIs401() throws IOException {
        ObjectNode noModel = request(TRANSCRIPT);
        noModel.remove("model");
        ObjectNode plainText = request(TRANSCRIPT);
        ((ObjectNode) plainText.path("text").path("format")).put("type", "text");
        ObjectNode notAllRequired = request(TRANSCRIPT);
        ((ObjectNode) notAllRequired.at("/text/format/schema")).putArray("required").add("summary");
        ObjectNode openSchema = request(TRANSCRIPT);
        ((ObjectNode) openSchema.at("/text/format/schema")).put("additionalProperties", true);
        ObjectNode tinyBudget = request(TRANSCRIPT).put("max_output_tokens", 3);
        ObjectNode noInput = request(TRANSCRIPT);
        noInput.remove("input");

        for (var entry : java.util.Map.of(noModel, "model", plainText, "text.format.type", notAllRequired,
                "text.format.schema", openSchema, "text.format.schema", tinyBudget, "max_output_tokens", noInput, "input")
                .entrySet()) {
            try (Response response = post(SimulatorConfig.DEFAULT_API_KEY, entry.getKey())) {
                assertThat(response.code()).isEqualTo(400);
                JsonNode error = Json.parse(response.body().string()).path("error");
                assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
                assertThat(error.path("param").asText()).isEqualTo(entry.getValue());
            }
        }
        try (Response response = post("sk-wrong", request(TRANSCRIPT))) {
            assertThat(response.code()).isEqualTo(401);
        }
    }

    @Test
    void faultSwitchesFailOrSlowEveryRequestUntilCleared() throws IOException {
        admin("PUT", "{\"responses_status\": 500}");
        try (Response response = post(SimulatorConfig.DEFAULT_API_KEY, request(TRANSCRIPT))) {
            assertThat(response.code()).isEqualTo(500);
            assertThat(Json.parse(response.body().string()).at("/error/type").asText()).isEqualTo("server_error");
        }
        try (Response faults = admin("GET", null)) {
            assertThat(Json.parse(faults.body().string()).path("responses_status").asInt()).isEqualTo(500);
        }

        admin("PUT", "{\"responses_delay_ms\": 400}");
        long start = System.nanoTime();
        answer(request(TRANSCRIPT));
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(400);

        admin("DELETE", null).close();
        assertThat(simulator.responsesFaultStatus()).isZero();
        answer(request(TRANSCRIPT));
        assertThat(simulator.requests()).filteredOn(r -> r.endpoint() == ConnectorRequest.Endpoint.RESPONSES)
                .extracting(ConnectorRequest::status).containsExactly(500, 200, 200);
    }

    private Response admin(String method, String body) throws IOException {
        Response response = RealtimeTestClient.HTTP.newCall(new Request.Builder()
                .url(simulator.baseUrl() + "/_simulator/faults")
                .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
                .method(method, body == null ? (method.equals("DELETE") ? RequestBody.create("", JSON) : null)
                        : RequestBody.create(body, JSON))
                .build()).execute();
        assertThat(response.code()).isEqualTo(200);
        return response;
    }
}
