package ai.phoneagent.tools;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
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
 * A tool declared in the {@code HTTP_TOOLS_PATH} file: POSTs {@code {"call_id":…,"tool_call_id":…,"arguments":{…}}}
 * to its URL with its headers and timeout and hands the (size-capped) response body to the model. Redirects are never
 * followed (the configured URL is the only place arguments go). Any failure becomes an error output the agent can
 * speak.
 */
public final class HttpTool implements Tool {
    private static final JsonLog LOG = JsonLog.forComponent("http-tool");
    private static final MediaType JSON = MediaType.get("application/json");
    /** The most response text handed to the model; more would only cost tokens and latency. */
    public static final int MAX_OUTPUT_CHARS = 4_000;

    private final HttpToolSpec spec;

    public HttpTool(HttpToolSpec spec) {
        this.spec = spec;
    }

    @Override
    public ToolDefinition definition() {
        return spec.definition();
    }

    @Override
    public ToolResult run(ToolCall toolCall, ToolContext context) {
        String callId = context.callId();
        ObjectNode body = Json.object().put("call_id", callId).put("tool_call_id", toolCall.id());
        body.set("arguments", toolCall.arguments());
        Request.Builder request = new Request.Builder().url(spec.url().toString())
                .post(RequestBody.create(Json.write(body), JSON));
        spec.headers().forEach(request::header);
        OkHttpClient http = context.http();
        if (http.followRedirects() || http.followSslRedirects()) {
            http = http.newBuilder().followRedirects(false).followSslRedirects(false).build(); // shares the pool
        }
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
