package ai.phoneagent.worker.tools;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.tools.HttpToolSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Runs a configured HTTP tool: POSTs {@code {"call_id":…,"tool_call_id":…,"arguments":{…}}} to its URL with its
 * headers and timeout and hands the (size-capped) response body to the model. Any failure becomes an error
 * output the agent can speak.
 */
public final class HttpToolInvoker {
    private static final JsonLog LOG = JsonLog.forComponent("http-tool");
    private static final MediaType JSON = MediaType.get("application/json");
    /** The most response text handed to the model; more would only cost tokens and latency. */
    public static final int MAX_OUTPUT_CHARS = 4_000;

    private final OkHttpClient http;

    public HttpToolInvoker(OkHttpClient http) {
        this.http = http.newBuilder().followRedirects(false).build();
    }

    public ToolResult invoke(HttpToolSpec spec, String callId, String toolCallId, JsonNode arguments) {
        ObjectNode body = Json.object().put("call_id", callId).put("tool_call_id", toolCallId);
        body.set("arguments", arguments);
        Request.Builder request = new Request.Builder().url(spec.url().toString())
                .post(RequestBody.create(Json.write(body), JSON));
        spec.headers().forEach(request::header);
        var call = http.newCall(request.build());
        call.timeout().timeout(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
        try (Response response = call.execute()) {
            String text = readCapped(response);
            if (response.code() < 200 || response.code() >= 300) {
                LOG.warn("http tool failed", Map.of("call_id", callId, "tool", spec.name(), "status", response.code()));
                return ToolResult.error("The " + spec.name() + " service answered with an error. Please try again later.");
            }
            return new ToolResult(true, text.isBlank() ? "{\"ok\":true}" : text);
        } catch (InterruptedIOException e) {
            LOG.warn("http tool timed out", Map.of("call_id", callId, "tool", spec.name(),
                    "timeout_ms", spec.timeout().toMillis()));
            return ToolResult.error("The " + spec.name() + " service did not answer in time.");
        } catch (IOException e) {
            LOG.warn("http tool unreachable", Map.of("call_id", callId, "tool", spec.name(), "error", JsonLog.describe(e)));
            return ToolResult.error("The " + spec.name() + " service could not be reached.");
        }
    }

    /** Reads at most {@link #MAX_OUTPUT_CHARS} characters' worth, so a huge body cannot exhaust memory. */
    private static String readCapped(Response response) throws IOException {
        try (InputStream in = response.body().byteStream()) {
            byte[] bytes = in.readNBytes(MAX_OUTPUT_CHARS * 4 + 1);
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.length() > MAX_OUTPUT_CHARS || bytes.length > MAX_OUTPUT_CHARS * 4) {
                return text.substring(0, Math.min(text.length(), MAX_OUTPUT_CHARS)) + " …[truncated]";
            }
            return text;
        }
    }
}
