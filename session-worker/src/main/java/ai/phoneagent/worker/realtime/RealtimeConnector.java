package ai.phoneagent.worker.realtime;

import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.openai.OpenAiEndpoints;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
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
import okhttp3.internal.concurrent.Task;
import okhttp3.internal.concurrent.TaskQueue;
import okhttp3.internal.ws.RealWebSocket;

/**
 * Opens {@code wss://…/v1/realtime?call_id=…} with only {@code Authorization: Bearer} (never {@code OpenAI-Beta},
 * which would switch the socket to the beta event names).
 *
 * <p>Every attach gets a fresh TCP connection: the client's pool keeps no idle connections, so a connection whose
 * upgrade was refused (404 after the call ended) and that the server then half-closed can never be handed to the next
 * attach as a dead CLOSE-WAIT socket. The session bounds each attach itself (it cancels an upgrade that does not
 * answer in time); an open socket has no read timeout. A peer that goes silent (no FIN, no RST) is found by the
 * connector's one {@link SilenceWatch}: a socket that heard nothing for {@code pingInterval} is pinged, and one whose
 * ping is not answered within {@code pingInterval / 2} is dropped and reported as a failure.
 *
 * <p>OkHttp's WebSocket API cannot send a ping on demand, so the watch puts one on the socket's own writer queue
 * (OkHttp internals, pinned with OkHttp's version; {@code SilenceWatchTest} and {@code WorkerLinkTest} catch a
 * change). Should that ever fail to resolve, the connector falls back to OkHttp's own per-socket pings.
 *
 * <p>OkHttp runs each WebSocket's reader loop on its dispatcher's executor for the socket's whole life and
 * counts it as a running request, so the connector gives its client a virtual-thread executor and lifts the
 * per-host limit: thousands of calls then need no thousands of platform threads.
 */
public final class RealtimeConnector implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("realtime");
    private final OkHttpClient client;
    private final ExecutorService executor;
    private final OpenAiEndpoints endpoints;
    private final String apiKey;
    /** Null when pings are off ({@code pingInterval} 0) or OkHttp's own pings stand in for it. */
    private final SilenceWatch watch;

    public RealtimeConnector(OkHttpClient base, OpenAiEndpoints endpoints, String apiKey, Duration pingInterval) {
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("realtime-", 0).factory());
        Dispatcher dispatcher = new Dispatcher(executor);
        dispatcher.setMaxRequests(100_000);
        dispatcher.setMaxRequestsPerHost(100_000);
        boolean watched = pingInterval.isPositive() && OnDemandPing.AVAILABLE;
        if (pingInterval.isPositive() && !watched) {
            LOG.warn("on-demand pings unavailable in this OkHttp; using its per-socket ping timer", Map.of());
        }
        this.watch = watched ? new SilenceWatch(pingInterval, pongTimeout(pingInterval)) : null;
        this.client = base.newBuilder()
                .dispatcher(dispatcher)
                .readTimeout(Duration.ZERO) // a call may be silent for minutes; pings detect a dead peer
                // OkHttp's own timer notices a missing pong at the next ping: half the interval keeps the bound
                .pingInterval(watched || !pingInterval.isPositive() ? Duration.ZERO : pingInterval.dividedBy(2))
                .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                .retryOnConnectionFailure(false)
                .build();
        this.endpoints = endpoints;
        this.apiKey = apiKey;
    }

    /** How long a ping may go unanswered: half the ping interval (a loaded peer may take a second or two). */
    static Duration pongTimeout(Duration pingInterval) {
        return pingInterval.dividedBy(2);
    }

    /** The longest an open socket can go silent before it is dropped; empty when pings are off. */
    public Optional<Duration> silenceDetection() {
        return Optional.ofNullable(watch).map(SilenceWatch::worstCaseDetection);
    }

    /** Starts connecting; the listener hears {@code onOpen} or {@code onDisconnect}. */
    public RealtimeConnection connect(String callId, RealtimeListener listener) {
        Request request = new Request.Builder()
                .url(endpoints.realtimeSocket(callId).toString())
                .header("Authorization", "Bearer " + apiKey)
                .build();
        Adapter adapter = new Adapter(listener, watch);
        WebSocket socket = client.newWebSocket(request, adapter);
        adapter.connection = new OkHttpConnection(socket);
        return adapter.connection;
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        client.dispatcher().cancelAll();
        executor.shutdownNow();
    }

    /**
     * A ping sent now, on the socket's own writer queue (so it never interleaves with a frame being written), through
     * OkHttp's internal {@code RealWebSocket.writePingFrame}; a missing pong is the watch's to notice.
     */
    static final class OnDemandPing {
        private static final VarHandle TASK_QUEUE = taskQueueHandle();
        static final boolean AVAILABLE = TASK_QUEUE != null;

        private OnDemandPing() {
        }

        private static VarHandle taskQueueHandle() {
            try {
                return MethodHandles.privateLookupIn(RealWebSocket.class, MethodHandles.lookup())
                        .findVarHandle(RealWebSocket.class, "taskQueue", TaskQueue.class);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
        }

        static void ping(RealWebSocket socket) {
            TaskQueue queue = (TaskQueue) TASK_QUEUE.getVolatile(socket);
            if (queue != null) {
                queue.schedule(new Task("ping", true) {
                    @Override
                    public long runOnce() {
                        socket.writePingFrame$okhttp();
                        return -1L;
                    }
                }, 0L);
            }
        }
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
        private final SilenceWatch watch;
        private final AtomicBoolean disconnected = new AtomicBoolean();
        volatile OkHttpConnection connection;
        private volatile SilenceWatch.Watched watched;
        /** Why the watch dropped the socket, reported instead of the cancel's own exception. */
        private volatile String silent;

        Adapter(RealtimeListener listener, SilenceWatch watch) {
            this.listener = listener;
            this.watch = watch;
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            if (watch != null && webSocket instanceof RealWebSocket real) {
                watched = watch.watch(new SilenceWatch.Pingable() {
                    @Override
                    public void ping() {
                        OnDemandPing.ping(real);
                    }

                    @Override
                    public int pongs() {
                        return real.receivedPongCount();
                    }
                }, () -> {
                    silent = "no pong within " + watch.pongTimeoutMillis() + " ms of a ping after "
                            + watch.idleBeforePingMillis() + " ms without a frame";
                    webSocket.cancel();
                });
            }
            listener.onOpen(connection != null ? connection : new OkHttpConnection(webSocket));
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            SilenceWatch.Watched w = watched;
            if (w != null) {
                w.heard();
            }
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
            String why = silent;
            disconnect(new Disconnect.Failed(status, why != null ? "silent socket: " + why
                    : t.getClass().getSimpleName() + (message.length() > 200 ? message.substring(0, 200) : message)));
        }

        private void disconnect(Disconnect disconnect) {
            SilenceWatch.Watched w = watched;
            if (w != null) {
                w.stop();
            }
            if (disconnected.compareAndSet(false, true)) {
                listener.onDisconnect(disconnect);
            }
        }
    }
}
