package ai.phoneagent.worker.summary;

import ai.phoneagent.call.CallSummary;
import ai.phoneagent.json.Json;
import ai.phoneagent.openai.OpenAiEndpoints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One request to OpenAI's Responses API ({@code POST /v1/responses}) asking for a call summary in
 * {@link SummarySchema}'s JSON schema ({@code text.format} of type {@code json_schema}, strict), with a bounded
 * answer ({@code max_output_tokens}) and nothing stored at OpenAI ({@code store: false}). No retries here: the
 * caller decides from the typed answer.
 */
public final class ResponsesClient {
    private static final MediaType JSON = MediaType.get("application/json");
    static final String INSTRUCTIONS = """
            You summarise a phone call between a caller and a business's AI phone agent, for the business's staff. \
            Use only what the transcript says; never invent names, numbers or promises. Write in the language the \
            caller used. Part of a long transcript may be left out where marked.""";

    private final OkHttpClient http;
    private final String url;
    private final String apiKey;
    private final SummarySettings settings;

    public ResponsesClient(OkHttpClient http, OpenAiEndpoints endpoints, String apiKey, SummarySettings settings) {
        this.http = http.newBuilder().callTimeout(settings.timeout()).connectTimeout(settings.timeout())
                .readTimeout(settings.timeout()).writeTimeout(settings.timeout()).retryOnConnectionFailure(false).build();
        this.url = endpoints.baseUrl() + "/v1/responses";
        this.apiKey = apiKey;
        this.settings = settings;
    }

    /** What one request came to. */
    public sealed interface Answer {
        /** The model answered in the schema. */
        record Summarised(CallSummary.Fields fields) implements Answer {
        }

        /** Worth asking again (5xx, 408, 409, 429, no answer in time, an answer off the schema). */
        record TryAgain(String why) implements Answer {
        }

        /** Asking again would not help (refused request, the model's refusal, the token budget ran out). */
        record GiveUp(String why) implements Answer {
        }
    }

    /** The request body: model, instructions, the call as text, the schema, the budget. */
    ObjectNode body(String input) {
        ObjectNode body = Json.object().put("model", settings.model().orElseThrow()).put("instructions", INSTRUCTIONS)
                .put("input", input).put("max_output_tokens", settings.maxOutputTokens()).put("store", false);
        body.putObject("text").putObject("format").put("type", "json_schema").put("name", SummarySchema.NAME)
                .put("strict", true).set("schema", SummarySchema.schema());
        return body;
    }

    public Answer summarise(String input) {
        Request request = new Request.Builder().url(url)
                .header("Authorization", "Bearer " + apiKey)
                .post(RequestBody.create(Json.write(body(input)), JSON))
                .build();
        try (Response response = http.newCall(request).execute()) {
            int code = response.code();
            String text = response.body().string();
            if (code >= 200 && code < 300) {
                return read(text);
            }
            String why = "status_" + code + ": " + errorMessage(text);
            return code >= 500 || code == 408 || code == 409 || code == 429 ? new Answer.TryAgain(why) : new Answer.GiveUp(why);
        } catch (InterruptedIOException e) {
            return new Answer.TryAgain("timeout");
        } catch (IOException e) {
            return new Answer.TryAgain("no_answer: " + e.getClass().getSimpleName());
        }
    }

    /** Reads a response object: its status, then the first message's {@code output_text} (or refusal). */
    static Answer read(String text) {
        JsonNode response;
        try {
            response = Json.parse(text);
        } catch (IOException e) {
            return new Answer.TryAgain("invalid_response: not JSON");
        }
        String status = response.path("status").asText("");
        if (status.equals("incomplete")) {
            return new Answer.GiveUp("incomplete: " + response.path("incomplete_details").path("reason").asText("unknown"));
        }
        if (!status.equals("completed")) {
            return new Answer.TryAgain("response_" + (status.isEmpty() ? "without_status" : status));
        }
        for (JsonNode item : response.path("output")) {
            if (!item.path("type").asText().equals("message")) {
                continue; // e.g. a reasoning item
            }
            for (JsonNode part : item.path("content")) {
                switch (part.path("type").asText()) {
                    case "refusal" -> {
                        return new Answer.GiveUp("refusal: " + clip(part.path("refusal").asText("")));
                    }
                    case "output_text" -> {
                        Optional<CallSummary.Fields> fields;
                        try {
                            fields = SummarySchema.read(Json.parse(part.path("text").asText("")));
                        } catch (IOException e) {
                            fields = Optional.empty();
                        }
                        return fields.<Answer>map(Answer.Summarised::new)
                                .orElseGet(() -> new Answer.TryAgain("invalid_output: not the schema"));
                    }
                    default -> {
                    }
                }
            }
        }
        return new Answer.TryAgain("invalid_response: no output_text");
    }

    private static String errorMessage(String body) {
        try {
            String message = Json.text(Json.parse(body).path("error"), "message");
            return message == null ? "no message" : clip(message);
        } catch (IOException | RuntimeException e) {
            return "no message";
        }
    }

    private static String clip(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300);
    }
}
