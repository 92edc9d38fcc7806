package ai.phoneagent.control.e2e;

import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.control.Events;
import ai.phoneagent.webhook.WebhookRequest;
import ai.phoneagent.webhook.WebhookResponse;
import ai.phoneagent.webhook.WebhookService;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The public edge as fake Twilio and OpenAI's connector reach it, on a real loopback HTTP server: {@code /twilio/**}
 * goes to the control handler (as API Gateway would deliver it), {@code /openai/webhook} to the webhook service.
 */
final class HttpFront implements AutoCloseable {
    private final HttpServer server;
    private volatile ControlHandler control;

    HttpFront(WebhookService webhook) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/twilio/", exchange -> control(exchange));
        server.createContext(WebhookService.PATH, exchange -> {
            WebhookResponse response = webhook.handle(new WebhookRequest(exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(), headers(exchange), body(exchange)));
            reply(exchange, response.status(), response.body());
        });
        server.start();
    }

    /** Which control handler serves {@code /twilio/**}. */
    void useControl(ControlHandler handler) {
        this.control = handler;
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private void control(HttpExchange exchange) throws IOException {
        Events.Builder event = Events.request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath())
                .query(exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery())
                .body(new String(body(exchange), StandardCharsets.UTF_8));
        headers(exchange).forEach(event::header);
        var response = control.handleRequest(event.build(), null);
        reply(exchange, response.getStatusCode(), response.getBody());
    }

    private static Map<String, String> headers(HttpExchange exchange) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            List<String> v = values;
            if (!v.isEmpty()) {
                headers.put(name.toLowerCase(java.util.Locale.ROOT), v.getFirst());
            }
        });
        return headers;
    }

    private static byte[] body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
