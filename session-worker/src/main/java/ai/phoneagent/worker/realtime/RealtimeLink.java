package ai.phoneagent.worker.realtime;

import ai.phoneagent.logging.JsonLog;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * One call WebSocket on Netty: the last handler of its channel's pipeline and the connection the session holds.
 *
 * <p>Everything that decides what the listener hears runs on the channel's event loop, so the callbacks come in order
 * from one thread and {@code onDisconnect} comes last and once: a message decoded before a drop is delivered before
 * the drop is reported, because Netty passes the end of the stream down the pipeline only after the decoders have
 * handed on what they decoded. {@link #send}, {@link #close} and {@link #cancel} may be called from any thread; they
 * change {@link #state} at once (so a later {@code send} answers false) and hand the work to the event loop.
 */
final class RealtimeLink extends ChannelInboundHandlerAdapter implements RealtimeConnection, SilenceWatch.Pingable {
    private static final int CONNECTING = 0;
    private static final int OPEN = 1;
    private static final int CLOSING = 2;
    private static final int GONE = 3;
    private static final VarHandle STATE;
    /** A refused upgrade's body is read (and dropped) up to this size. */
    private static final int MAX_REFUSAL_BYTES = 1024 * 1024;
    /** The status a close frame without one stands for (RFC 6455 7.1.5). */
    private static final int NO_STATUS = 1005;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RealtimeLink.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final URI uri;
    private final String authorization;
    private final RealtimeListener listener;
    private final SilenceWatch watch;
    private final EventLoop loop;
    private volatile int state = CONNECTING;
    private volatile Channel channel;
    private volatile int pongs;

    // the event loop's alone
    private WebSocketClientHandshaker handshaker;
    private SilenceWatch.Watched watched;
    private boolean reported;
    private boolean closeSent;
    /** Why we dropped the connection ourselves (cancelled, silent, no close answer); reported instead of the I/O error. */
    private String dropReason;
    private Throwable error;
    private ScheduledFuture<?> closeTimer;

    RealtimeLink(URI uri, String authorization, RealtimeListener listener, SilenceWatch watch, EventLoop loop) {
        this.uri = uri;
        this.authorization = authorization;
        this.listener = listener;
        this.watch = watch;
        this.loop = loop;
    }

    /** Resolves the host off the event loop (a DNS lookup blocks), then connects on it. */
    void start(Bootstrap bootstrap, SslContext tls) {
        String host = uri.getHost();
        int port = uri.getPort() != -1 ? uri.getPort() : tls != null ? 443 : 80;
        bootstrap.handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelPipeline pipeline = ch.pipeline();
                if (tls != null) {
                    pipeline.addLast("tls", verifyingHost(tls.newHandler(ch.alloc(), host, port)));
                }
                pipeline.addLast("http", new HttpClientCodec());
                pipeline.addLast("http-aggregator", new HttpObjectAggregator(MAX_REFUSAL_BYTES));
                pipeline.addLast("link", RealtimeLink.this);
            }
        });
        Thread.ofVirtual().name("realtime-resolve").start(() -> {
            try {
                InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), port);
                onLoop(() -> connect(bootstrap, address));
            } catch (UnknownHostException | RuntimeException e) {
                onLoop(() -> {
                    error = e;
                    report();
                });
            }
        });
    }

    private static SslHandler verifyingHost(SslHandler handler) {
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return handler;
    }

    private void connect(Bootstrap bootstrap, InetSocketAddress address) {
        if (reported || dropReason != null) {
            report();
            return;
        }
        ChannelFuture connecting = bootstrap.connect(address);
        channel = connecting.channel();
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                if (error == null) {
                    error = done.cause();
                }
                report();
            }
        });
    }

    // ---------------------------------------------------------------- the connection, from any thread

    @Override
    public boolean send(String text) {
        if (state != OPEN) {
            return false;
        }
        TextWebSocketFrame frame = new TextWebSocketFrame(text);
        onLoop(() -> {
            Channel ch = channel;
            if (closeSent || reported) {
                frame.release();
            } else {
                ch.writeAndFlush(frame);
            }
        });
        return true;
    }

    @Override
    public void close(int code, String reason) {
        CloseWebSocketFrame frame = new CloseWebSocketFrame(code, reason == null ? "" : reason); // checks the code
        if (STATE.compareAndSet(this, OPEN, CLOSING)) {
            onLoop(() -> {
                if (reported || closeSent) {
                    frame.release();
                    return;
                }
                closeSent = true;
                channel.writeAndFlush(frame);
                closeTimer = loop.schedule(() -> drop("no close frame within "
                        + RealtimeConnector.CLOSE_TIMEOUT.toMillis() + " ms of ours"),
                        RealtimeConnector.CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            });
        } else {
            frame.release();
            if (state == CONNECTING) {
                cancel();
            }
        }
    }

    @Override
    public void cancel() {
        STATE.setVolatile(this, GONE);
        onLoop(() -> drop("cancelled"));
    }

    /** Closes the connection now; the listener hears {@code reason} (unless it already heard how it ended). */
    private void drop(String reason) {
        if (dropReason == null) {
            dropReason = reason;
        }
        Channel ch = channel;
        if (ch != null) {
            ch.close(); // a connection still connecting fails its connect; an open one goes inactive: both report
        } else {
            report(); // still resolving
        }
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                // the connector is closed: its sockets are gone and have been reported
            }
        }
    }

    // ---------------------------------------------------------------- the silence watch's view

    @Override
    public void ping() {
        Channel ch = channel;
        if (ch != null && state != GONE) {
            ch.writeAndFlush(new PingWebSocketFrame());
        }
    }

    @Override
    public int pongs() {
        return pongs;
    }

    private void silent() {
        onLoop(() -> drop("silent socket: no pong within " + watch.pongTimeoutMillis() + " ms of a ping after "
                + watch.idleBeforePingMillis() + " ms without a frame"));
    }

    // ---------------------------------------------------------------- the pipeline's events, on the event loop

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.AUTHORIZATION, authorization);
        // no Origin header, no extensions, no subprotocol: only what the upgrade needs and the key
        handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, null, false, headers,
                RealtimeConnector.MAX_MESSAGE_BYTES, true, false, -1, false, false);
        handshaker.handshake(ctx.channel()).addListener(written -> {
            if (!written.isSuccess()) {
                exceptionCaught(ctx, written.cause());
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof WebSocketFrame frame) {
                onFrame(ctx, frame);
            } else if (msg instanceof FullHttpResponse response) {
                onUpgradeAnswer(ctx, response);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onUpgradeAnswer(ChannelHandlerContext ctx, FullHttpResponse response) {
        if (handshaker == null || state != CONNECTING) {
            ctx.close(); // cancelled while the answer was on its way
            return;
        }
        HttpResponseStatus status = response.status();
        if (status.code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            handshaker = null;
            report(new Disconnect.Failed(status.code(),
                    "ProtocolException: Expected HTTP 101 response but was '" + status.code() + " " + status.reasonPhrase() + "'"));
            ctx.close(); // the connection is never used again
            return;
        }
        handshaker.finishHandshake(ctx.channel(), response); // checks the accept key; throws into exceptionCaught
        handshaker = null;
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addAfter(pipeline.context(WebSocketFrameDecoder.class).name(), "ws-aggregator",
                new WebSocketFrameAggregator(RealtimeConnector.MAX_MESSAGE_BYTES));
        if (!STATE.compareAndSet(this, CONNECTING, OPEN)) {
            ctx.close();
            return;
        }
        if (watch != null) {
            watched = watch.watch(this, this::silent);
        }
        listener.onOpen(this);
    }

    private void onFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (reported || state == GONE) {
            return;
        }
        SilenceWatch.Watched w = watched;
        if (w != null) {
            w.heard();
        }
        switch (frame) {
            case TextWebSocketFrame text -> listener.onMessage(text.text());
            case PongWebSocketFrame pong -> pongs++;
            case PingWebSocketFrame ping -> {
                if (!closeSent) {
                    ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                }
            }
            case CloseWebSocketFrame close -> onCloseFrame(ctx, close);
            default -> {
                // binary frames are not part of the Realtime protocol: ignored
            }
        }
    }

    private void onCloseFrame(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
        int code = close.statusCode() < 0 ? NO_STATUS : close.statusCode();
        String reason = close.reasonText() == null ? "" : close.reasonText();
        if (!closeSent) {
            closeSent = true;
            STATE.compareAndSet(this, OPEN, CLOSING);
            ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close(); // the peer answered our close
        }
        report(new Disconnect.Closed(code, reason));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (error == null) {
            error = cause;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        report();
        ctx.fireChannelInactive();
    }

    /** Reports how the connection failed, from what is known now. */
    private void report() {
        if (dropReason != null) {
            report(new Disconnect.Failed(0, dropReason));
        } else if (error != null) {
            report(new Disconnect.Failed(0, JsonLog.describe(error)));
        } else {
            report(new Disconnect.Failed(0, state == CONNECTING ? "connection closed during the upgrade"
                    : "connection closed without a close frame"));
        }
    }

    private void report(Disconnect disconnect) {
        if (reported) {
            return;
        }
        reported = true;
        STATE.setVolatile(this, GONE);
        if (watched != null) {
            watched.stop();
        }
        if (closeTimer != null) {
            closeTimer.cancel(false);
        }
        listener.onDisconnect(disconnect);
    }
}
