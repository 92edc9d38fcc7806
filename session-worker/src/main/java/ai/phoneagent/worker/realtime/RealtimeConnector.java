package ai.phoneagent.worker.realtime;

import ai.phoneagent.openai.OpenAiEndpoints;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * Opens {@code wss://…/v1/realtime?call_id=…} with only {@code Authorization: Bearer} (never {@code OpenAI-Beta},
 * which would switch the socket to the beta event names).
 *
 * <p>Every attach gets a fresh TCP connection: the client's pool keeps no idle connections, so a connection whose
 * upgrade was refused (404 after the call ended) and that the server then half-closed can never be handed to the next
 * attach as a dead CLOSE-WAIT socket. The session bounds each attach itself (it cancels an upgrade that does not
 * answer in time); an open socket has no read timeout, and pings every {@code pingInterval} find a peer that went
 * silent (no FIN, no RST) within two intervals.
 *
 * <p>OkHttp runs each WebSocket's reader loop on its dispatcher's executor for the socket's whole life and
 * counts it as a running request, so the connector gives its client a virtual-thread executor and lifts the
 * per-host limit: thousands of calls then need no thousands of platform threads.
 */
public final class RealtimeConnector implements AutoCloseable {
    private final OkHttpClient client;
    private final ExecutorService executor;
    private final OpenAiEndpoints endpoints;
    private final String apiKey;

    public RealtimeConnector(OkHttpClient base, OpenAiEndpoints endpoints, String apiKey, Duration pingInterval) {
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("realtime-", 0).factory());
        Dispatcher dispatcher = new Dispatcher(executor);
        dispatcher.setMaxRequests(100_000);
        dispatcher.setMaxRequestsPerHost(100_000);
        this.client = base.newBuilder()
                .dispatcher(dispatcher)
                .readTimeout(Duration.ZERO) // a call may be silent for minutes; pings detect a dead peer
                .pingInterval(pingInterval)
                .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                .retryOnConnectionFailure(false)
                .build();
        this.endpoints = endpoints;
        this.apiKey = apiKey;
    }

    /** Starts connecting; the listener hears {@code onOpen} or {@code onDisconnect}. */
    public RealtimeConnection connect(String callId, RealtimeListener listener) {
        Request request = new Request.Builder()
                .url(endpoints.realtimeSocket(callId).toString())
                .header("Authorization", "Bearer " + apiKey)
                .build();
        Adapter adapter = new Adapter(listener);
        WebSocket socket = client.newWebSocket(request, adapter);
        adapter.connection = new OkHttpConnection(socket);
        return adapter.connection;
    }

    @Override
    public void close() {
        client.dispatcher().cancelAll();
        executor.shutdownNow();
    }

    private record OkHttpConnection(WebSocket socket) implements RealtimeConnection {
        @Override
        public boolean send(String text) {
            return socket.send(text);
        }

        @Override
        public void close(int code, String reason) {
            socket.close(code, reason);
        }

        @Override
        public void cancel() {
            socket.cancel();
        }
    }

    /** Maps OkHttp's callbacks to ours and makes sure the disconnect is reported exactly once. */
    private static final class Adapter extends WebSocketListener {
        private final RealtimeListener listener;
        private final AtomicBoolean disconnected = new AtomicBoolean();
        volatile OkHttpConnection connection;

        Adapter(RealtimeListener listener) {
            this.listener = listener;
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            listener.onOpen(connection != null ? connection : new OkHttpConnection(webSocket));
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            listener.onMessage(text);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null); // answer the peer's close frame
            disconnect(new Disconnect.Closed(code, reason));
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            disconnect(new Disconnect.Closed(code, reason));
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            int status = response == null ? 0 : response.code();
            if (response != null) {
                response.close();
            }
            String message = t.getMessage() == null ? "" : ": " + t.getMessage();
            disconnect(new Disconnect.Failed(status, t.getClass().getSimpleName()
                    + (message.length() > 200 ? message.substring(0, 200) : message)));
        }

        private void disconnect(Disconnect disconnect) {
            if (disconnected.compareAndSet(false, true)) {
                listener.onDisconnect(disconnect);
            }
        }
    }
}
