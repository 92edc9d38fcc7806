package ai.phoneagent.worker.health;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /health} for the ECS health check: 200 while taking calls; 503 while draining or when the worker found
 * itself unable to hold calls ({@code status: unhealthy} with the reason). Transcript writes waiting on the store and
 * since when the store has been failing are shown, without failing the check (a restart would not help).
 */
public final class HealthServer implements AutoCloseable {
    /** What the health endpoint reports. */
    public record Status(boolean draining, String unhealthyReason, int activeCalls, int capacity, String workerId,
                         long pendingWrites, Instant storeFailingSince) {
        boolean serving() {
            return !draining && unhealthyReason == null;
        }
    }

    private final HttpServer server;

    private HealthServer(HttpServer server) {
        this.server = server;
    }

    /** Starts serving on {@code host}:{@code port} (0: any free port); {@code 0.0.0.0} is every interface. */
    public static HealthServer start(String host, int port, Supplier<Status> status) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("health port " + port + " unavailable", e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/health", exchange -> respond(exchange, status.get()));
        server.start();
        return new HealthServer(server);
    }

    private static void respond(HttpExchange exchange, Status status) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            ObjectNode json = Json.object()
                    .put("status", status.unhealthyReason() != null ? "unhealthy" : status.draining() ? "draining" : "ok")
                    .put("activeCalls", status.activeCalls())
                    .put("capacity", status.capacity())
                    .put("workerId", status.workerId())
                    .put("pendingWrites", status.pendingWrites());
            if (status.unhealthyReason() != null) {
                json.put("reason", status.unhealthyReason());
            }
            if (status.storeFailingSince() != null) {
                json.put("storeFailingSince", status.storeFailingSince().toString());
            }
            byte[] body = Json.write(json).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.serving() ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
