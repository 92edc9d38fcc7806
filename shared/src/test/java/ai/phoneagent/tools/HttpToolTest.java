package ai.phoneagent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class HttpToolTest {
    private static HttpTool tool(MockWebServer server) {
        return new HttpTool(HttpToolsFile.parse("""
                [{"name": "lookup", "description": "Looks something up.", "url": "%s", "timeout_ms": 2000}]"""
                .formatted(server.url("/lookup")), Env.of(Map.of())).getFirst());
    }

    /** A context whose client follows redirects, as a default OkHttpClient does. */
    private static ToolContext context(OkHttpClient http) {
        return new ToolContext() {
            @Override
            public String callId() {
                return "rtc_http";
            }

            @Override
            public void recordEvent(String kind, JsonNode details) {
            }

            @Override
            public void hangupAfterResponse(String reason) {
                throw new AssertionError("an HTTP tool never hangs up");
            }

            @Override
            public ToolResult transfer(String targetName, String reason) {
                throw new AssertionError("an HTTP tool never transfers");
            }

            @Override
            public OkHttpClient http() {
                return http;
            }

            @Override
            public Clock clock() {
                return Clock.systemUTC();
            }
        };
    }

    @Test
    void postsTheCallIdsAndArgumentsAndHandsTheBodyToTheModel() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().code(200).body("{\"found\":true}").build());
            server.start();
            ToolResult result = tool(server).run(new ToolCall("call_7", "lookup", Json.object().put("q", "x")),
                    context(new OkHttpClient()));
            assertThat(result).isEqualTo(new ToolResult(true, "{\"found\":true}"));
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            JsonNode body = Json.parse(request.getBody().utf8());
            assertThat(body.path("call_id").asText()).isEqualTo("rtc_http");
            assertThat(body.path("tool_call_id").asText()).isEqualTo("call_7");
            assertThat(body.path("arguments").path("q").asText()).isEqualTo("x");
        }
    }

    @Test
    void aRedirectIsNeverFollowedEvenWithAClientThatFollowsThem() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/elsewhere").build());
            server.enqueue(new MockResponse.Builder().code(200).body("{\"leaked\":true}").build());
            server.start();
            ToolResult result = tool(server).run(new ToolCall("call_8", "lookup", Json.object()),
                    context(new OkHttpClient()));
            assertThat(result.ok()).isFalse();
            assertThat(result.output()).contains("answered with an error");
            assertThat(server.getRequestCount()).isEqualTo(1);
        }
    }
}
