package ai.phoneagent.bench;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fresh JVM's first request to one Lambda handler, as a Lambda cold start without SnapStart does it: build the
 * handler with its Lambda constructor, answer one real request (AWS engines and simulator reached over loopback),
 * print {@code FIRST_RESPONSE status=<n>} and exit. Runs on the handler's own shaded jar plus this class only.
 * Arguments: {@code webhook|control <request file>}; the file holds the method, the path, {@code name: value}
 * header lines, an empty line and the body.
 */
public final class HandlerProbe {
    private HandlerProbe() {
    }

    public static void main(String[] args) throws IOException {
        long mainAt = System.currentTimeMillis();
        long mainCpu = cpuMillis();
        List<String> lines = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        int i = 2;
        for (; i < lines.size() && !lines.get(i).isEmpty(); i++) {
            int colon = lines.get(i).indexOf(':');
            headers.put(lines.get(i).substring(0, colon).trim(), lines.get(i).substring(colon + 1).trim());
        }
        String body = String.join("\n", lines.subList(Math.min(i + 1, lines.size()), lines.size()));
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRawPath(lines.get(1))
                .withRawQueryString("")
                .withHeaders(headers)
                .withBody(body.isEmpty() ? null : body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(lines.get(0)).withPath(lines.get(1)).withSourceIp("127.0.0.1").build())
                        .withRequestId("probe").build())
                .build();
        long buildAt = System.currentTimeMillis();
        RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler = switch (args[0]) {
            case "webhook" -> new ai.phoneagent.webhook.WebhookHandler();
            case "control" -> new ai.phoneagent.control.ControlHandler();
            default -> throw new IllegalArgumentException("webhook or control");
        };
        long builtAt = System.currentTimeMillis();
        long builtCpu = cpuMillis();
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);
        long answeredAt = System.currentTimeMillis();
        long cpuMs = cpuMillis();
        // epoch milliseconds of each phase (the parent knows when it spawned this JVM) and the CPU used so far; the
        // main thread's own CPU (JVM start included) is the start's critical path when another core is free
        System.out.println("FIRST_RESPONSE status=" + response.getStatusCode() + " mainAt=" + mainAt + " buildAt=" + buildAt
                + " builtAt=" + builtAt + " answeredAt=" + answeredAt + " mainCpuMs=" + mainCpu + " builtCpuMs=" + builtCpu
                + " cpuMs=" + cpuMs
                + " mainThreadCpuMs=" + java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000);
        System.out.flush();
        System.exit(0);
    }

    private static long cpuMillis() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
    }
}
