package ai.phoneagent.worker.realtime;

import ai.phoneagent.openai.OpenAiEndpoints;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Opens {@code wss://…/v1/realtime?call_id=…} with only {@code Authorization: Bearer} (never {@code OpenAI-Beta},
 * which would switch the socket to the beta event names).
 *
 * <p>The link is non-blocking (Netty): every socket of the worker is served by one small shared event loop group
 * ({@value #IO_THREADS_MAX} threads at most, {@code realtime-io-*}), with no thread or virtual thread per socket. Reads
 * go into pooled buffers that return to the pool as soon as the bytes are decoded, so an idle socket holds no read
 * buffer; TLS is Netty's {@code SslHandler} over the JDK's engine, with host name verification.
 *
 * <p>Every attach gets a fresh TCP connection (nothing is pooled or reused), so a connection whose upgrade was refused
 * (404 after the call ended) can never be handed to the next attach. The session bounds each attach itself and
 * cancels an upgrade that does not answer in time; an open socket has no read timeout. A peer that goes silent (no
 * FIN, no RST) is found by the connector's one {@link SilenceWatch}, swept on the event loop: a socket that heard
 * nothing for {@code pingInterval} is pinged, and one whose ping is not answered within {@code pingInterval / 2} is
 * dropped and reported as a failure.
 *
 * <p>The listener hears a connection's callbacks on that connection's event loop thread, in order: every text message
 * decoded before the connection ended is delivered before {@code onDisconnect}, which comes exactly once.
 */
public final class RealtimeConnector implements AutoCloseable {
    static final int IO_THREADS_MAX = 2;
    /** The largest message (all its fragments together); Realtime events such as {@code session.created} are large. */
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** How long a close we started waits for the peer's close frame before the connection is dropped. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    static {
        // The link needs none of Netty's sun.misc.Unsafe paths (heap buffers suit the JDK's TLS engine too), and on
        // JDK 24+ using them prints a deprecation warning at start (later JDKs deny them). An explicit setting wins.
        if (System.getProperty("io.netty.noUnsafe") == null) {
            System.setProperty("io.netty.noUnsafe", "true");
        }
    }

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final SslContext tls;
    private final OpenAiEndpoints endpoints;
    private final String apiKey;
    /** Null when pings are off ({@code pingInterval} 0). */
    private final SilenceWatch watch;

    public RealtimeConnector(OpenAiEndpoints endpoints, String apiKey, Duration pingInterval) {
        this(endpoints, apiKey, pingInterval, null);
    }

    /** A connector that trusts what {@code trust} trusts for {@code wss://} (null: the JDK's default trust store). */
    RealtimeConnector(OpenAiEndpoints endpoints, String apiKey, Duration pingInterval, TrustManagerFactory trust) {
        int threads = Math.max(1, Math.min(IO_THREADS_MAX, Runtime.getRuntime().availableProcessors()));
        this.group = new NioEventLoopGroup(threads, new DefaultThreadFactory("realtime-io", true));
        this.bootstrap = new Bootstrap()
                .channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, allocator(threads))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .option(ChannelOption.TCP_NODELAY, true);
        try {
            this.tls = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(trust)
                    // one entry per host is all resumption needs; the JDK's default keeps 20,480 sessions for a day
                    .sessionCacheSize(256)
                    .sessionTimeout(TimeUnit.HOURS.toSeconds(1))
                    .build();
        } catch (SSLException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("no TLS context for the call link", e);
        }
        this.endpoints = endpoints;
        this.apiKey = apiKey;
        this.watch = pingInterval.isPositive()
                ? new SilenceWatch(pingInterval, pongTimeout(pingInterval), group.next())
                : null;
    }

    /**
     * Pooled buffers: one arena per event loop thread and 1 MiB chunks (a message larger than a chunk gets a buffer of
     * its own, freed after it is decoded). Heap memory unless Netty was explicitly allowed {@code Unsafe}.
     */
    private static ByteBufAllocator allocator(int threads) {
        boolean direct = PlatformDependent.directBufferPreferred();
        return new PooledByteBufAllocator(direct, direct ? 0 : threads, direct ? threads : 0, 8192, 7,
                256, 64, false);
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
        URI uri = endpoints.realtimeSocket(callId);
        EventLoop loop = group.next();
        RealtimeLink link = new RealtimeLink(uri, "Bearer " + apiKey, listener, watch, loop);
        link.start(bootstrap.clone(loop), "wss".equalsIgnoreCase(uri.getScheme()) ? tls : null);
        return link;
    }

    /** Drops every socket (each reports a failure) and stops the event loop. */
    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
