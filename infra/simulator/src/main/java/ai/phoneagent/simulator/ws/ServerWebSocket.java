package ai.phoneagent.simulator.ws;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import okio.Buffer;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;
import okio.Socket;

/**
 * The server side of one RFC 6455 WebSocket on an already upgraded socket: unmasked text frames out,
 * masked frames in, ping/pong, the close handshake, and an abrupt cancel (no close frame).
 * {@link #send} and {@link #close} are thread-safe; {@link #readLoop} runs on one thread.
 */
public final class ServerWebSocket {
    /** Callbacks from the read loop. */
    public interface Listener {
        /** A complete text message from the client. */
        void onText(String text);

        /** The socket is gone; {@code code} is 1006 when it ended without a close frame. */
        void onClosed(int code, String reason);
    }

    /** Close code used when the peer vanished without a close frame. */
    public static final int ABNORMAL_CLOSURE = 1006;
    private static final long MAX_MESSAGE_BYTES = 16L * 1024 * 1024;
    private static final Duration CLOSE_REPLY_TIMEOUT = Duration.ofSeconds(2);
    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_BINARY = 0x2;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;

    private final Socket socket;
    private final BufferedSource source;
    private final BufferedSink sink;
    private final Object writeLock = new Object();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Object stallLock = new Object();
    private boolean stalled;

    public ServerWebSocket(Socket socket) {
        this.socket = socket;
        this.source = socket.getSource() instanceof BufferedSource s ? s : Okio.buffer(socket.getSource());
        this.sink = socket.getSink() instanceof BufferedSink s ? s : Okio.buffer(socket.getSink());
    }

    /** Flushes the upgrade response that the HTTP layer buffered before handing the socket over. */
    public void flushHandshake() throws IOException {
        synchronized (writeLock) {
            sink.flush();
        }
    }

    /** Sends one text message; false when the socket is closing or broken. */
    public boolean send(String text) {
        if (closeSent.get() || finished.get()) {
            return false;
        }
        try {
            writeFrame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            cancel();
            return false;
        }
    }

    /** Starts the close handshake; the socket is dropped if the client does not answer within 2 s. */
    public void close(int code, String reason) {
        if (isStalled()) {
            cancel(); // a stalled network delivers no close frame
            return;
        }
        if (!closeSent.compareAndSet(false, true)) {
            return;
        }
        try {
            writeFrame(OP_CLOSE, closePayload(code, reason));
        } catch (IOException e) {
            cancel();
            return;
        }
        Thread.ofVirtual().name("ws-close-timeout").start(() -> {
            try {
                Thread.sleep(CLOSE_REPLY_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cancel();
        });
    }

    /** Drops the connection at once, without a close frame (what a vanished peer looks like). */
    public void cancel() {
        closeSent.set(true);
        socket.cancel();
        stall(false);
    }

    /**
     * Stalls the socket (true) or lets it go on (false). A stalled socket stays open but goes silent: no frame is
     * read or answered (not even a ping) and sends wait, like a peer whose network vanished without FIN or RST.
     */
    public void stall(boolean stall) {
        synchronized (stallLock) {
            stalled = stall;
            stallLock.notifyAll();
        }
    }

    private boolean isStalled() {
        synchronized (stallLock) {
            return stalled;
        }
    }

    private void awaitNotStalled() throws IOException {
        synchronized (stallLock) {
            while (stalled) {
                try {
                    stallLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while stalled", e);
                }
            }
        }
    }

    /** True once the socket is closed or closing. */
    public boolean isClosed() {
        return closeSent.get() || finished.get();
    }

    /** Reads frames until the socket closes; reports text messages and the end to the listener. */
    public void readLoop(Listener listener) {
        int code = ABNORMAL_CLOSURE;
        String reason = "connection lost";
        Buffer message = new Buffer();
        int messageOpcode = -1;
        try {
            while (true) {
                int b0 = source.readByte() & 0xff;
                int b1 = source.readByte() & 0xff;
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0f;
                boolean masked = (b1 & 0x80) != 0;
                long length = b1 & 0x7f;
                if (length == 126) {
                    length = source.readShort() & 0xffff;
                } else if (length == 127) {
                    length = source.readLong();
                }
                if (!masked || length < 0 || length > MAX_MESSAGE_BYTES) {
                    closeAfterProtocolError(1002, masked ? "frame too large" : "client frames must be masked");
                    code = 1002;
                    reason = "protocol error";
                    break;
                }
                byte[] mask = source.readByteArray(4);
                byte[] payload = source.readByteArray(length);
                awaitNotStalled();
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
                switch (opcode) {
                    case OP_TEXT, OP_BINARY -> {
                        message.clear();
                        message.write(payload);
                        messageOpcode = opcode;
                        if (fin) {
                            deliver(listener, messageOpcode, message);
                        }
                    }
                    case OP_CONTINUATION -> {
                        message.write(payload);
                        if (message.size() > MAX_MESSAGE_BYTES) {
                            closeAfterProtocolError(1009, "message too large");
                            code = 1009;
                            reason = "message too large";
                            return;
                        }
                        if (fin) {
                            deliver(listener, messageOpcode, message);
                        }
                    }
                    case OP_PING -> writeFrame(OP_PONG, payload);
                    case OP_PONG -> {
                        // unsolicited pongs are allowed and ignored
                    }
                    case OP_CLOSE -> {
                        code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                        reason = payload.length > 2
                                ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                        if (closeSent.compareAndSet(false, true)) {
                            writeFrame(OP_CLOSE, closePayload(code == 1005 ? 1000 : code, ""));
                        }
                        return;
                    }
                    default -> {
                        closeAfterProtocolError(1002, "unknown opcode");
                        code = 1002;
                        reason = "protocol error";
                        return;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // EOF or reset: the peer is gone without a close frame (or we cancelled)
        } finally {
            socket.cancel();
            if (finished.compareAndSet(false, true)) {
                listener.onClosed(code, reason);
            }
        }
    }

    private static void deliver(Listener listener, int opcode, Buffer message) {
        if (opcode == OP_TEXT) {
            listener.onText(message.readUtf8());
        } else {
            message.clear();
        }
    }

    private void closeAfterProtocolError(int code, String reason) {
        if (closeSent.compareAndSet(false, true)) {
            try {
                writeFrame(OP_CLOSE, closePayload(code, reason));
            } catch (IOException ignored) {
                // the socket is dropped right after anyway
            }
        }
    }

    private void writeFrame(int opcode, byte[] payload) throws IOException {
        if (opcode != OP_CLOSE) {
            awaitNotStalled();
        }
        synchronized (writeLock) {
            sink.writeByte(0x80 | opcode);
            if (payload.length < 126) {
                sink.writeByte(payload.length);
            } else if (payload.length <= 0xffff) {
                sink.writeByte(126);
                sink.writeShort(payload.length);
            } else {
                sink.writeByte(127);
                sink.writeLong(payload.length);
            }
            sink.write(payload);
            sink.flush();
        }
    }

    private static byte[] closePayload(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, 123);
        byte[] payload = new byte[2 + length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, length);
        return payload;
    }
}
