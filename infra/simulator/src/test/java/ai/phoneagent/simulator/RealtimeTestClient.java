package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/** A real OkHttp WebSocket to the simulator, collecting server events for assertions. */
final class RealtimeTestClient extends WebSocketListener implements AutoCloseable {
    /** How a socket ended: a close frame ({@code code}), or a failure (no close frame, or a refused upgrade). */
    record Ending(int code, String reason, Throwable failure, int httpStatus) {
        boolean closeFrame() {
            return failure == null;
        }
    }

    static final Duration WAIT = Duration.ofSeconds(10);
    static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> received = new ArrayList<>();
    private final CompletableFuture<WebSocket> opened = new CompletableFuture<>();
    private final CompletableFuture<Ending> ended = new CompletableFuture<>();
    private WebSocket socket;

    static RealtimeTestClient attach(ConnectorSimulator simulator, String callId) {
        return attach(simulator, callId, SimulatorConfig.DEFAULT_API_KEY, Map.of());
    }

    static RealtimeTestClient attach(ConnectorSimulator simulator, String callId, String apiKey,
                                     Map<String, String> headers) {
        RealtimeTestClient client = new RealtimeTestClient();
        Request.Builder request = new Request.Builder()
                .url(simulator.endpoints().realtimeSocket(callId).toString().replaceFirst("^ws", "http"))
                .header("Authorization", "Bearer " + apiKey);
        headers.forEach(request::header);
        client.socket = HTTP.newWebSocket(request.build(), client);
        return client;
    }

    /** Waits for the upgrade; returns false when it was refused. */
    boolean awaitOpen() {
        try {
            opened.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("socket neither opened nor failed", e);
        }
    }

    /** The next server event, or null when none arrives in time. */
    JsonNode next(Duration timeout) {
        try {
            JsonNode event = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event != null) {
                synchronized (received) {
                    received.add(event);
                }
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    JsonNode next() {
        JsonNode event = next(WAIT);
        if (event == null) {
            throw new AssertionError("no server event within " + WAIT);
        }
        return event;
    }

    /** Server events up to and including the first matching one. */
    List<JsonNode> until(Predicate<JsonNode> last) {
        List<JsonNode> events = new ArrayList<>();
        while (true) {
            JsonNode event = next();
            events.add(event);
            if (last.test(event)) {
                return events;
            }
        }
    }

    List<JsonNode> untilType(String type) {
        return until(e -> type.equals(e.path("type").asText()));
    }

    JsonNode nextOfType(String type) {
        return untilType(type).getLast();
    }

    static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText()).toList();
    }

    void send(String text) {
        socket.send(text);
    }

    void send(JsonNode event) {
        socket.send(Json.write(event));
    }

    void sendJson(String json) {
        try {
            send(Json.parse(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    Ending awaitEnd() {
        try {
            return ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("socket did not end within " + WAIT, e);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        opened.complete(webSocket);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        try {
            inbox.add(Json.parse(text));
        } catch (JsonProcessingException e) {
            inbox.add(Json.object().put("type", "<not json>").put("text", text));
        }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(code == 1005 ? 1000 : code, null);
        ended.complete(new Ending(code, reason, null, 101));
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        ended.complete(new Ending(code, reason, null, 101));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        int status = response == null ? 0 : response.code();
        opened.completeExceptionally(t);
        ended.complete(new Ending(-1, null, t, status));
    }

    @Override
    public void close() {
        socket.close(1000, "test done");
    }
}
