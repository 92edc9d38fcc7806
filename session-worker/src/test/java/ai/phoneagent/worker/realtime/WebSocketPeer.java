package ai.phoneagent.worker.realtime;

import ai.phoneagent.openai.OpenAiEndpoints;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A hand-written WebSocket server on a loopback socket (plain or TLS), byte by byte, for what ready-made servers never
 * do on request: answer the upgrade with a frame in the same packet, split a message into fragments around a ping,
 * end the stream right after a message without a close frame, or accept a connection and never answer its upgrade.
 * Each accepted connection runs the peer's {@link Script} on a virtual thread of its own.
 *
 * <p>{@link #main} runs it in a JVM of its own, holding every connection open: the link's footprint is then measured
 * in a JVM where only the client side lives.
 */
final class WebSocketPeer implements AutoCloseable {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)");

    /** What the peer does with one connection. */
    interface Script {
        void play(Connection connection) throws IOException;
    }

    /** A frame the client sent, unmasked. */
    record Frame(boolean fin, int opcode, boolean masked, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length < 2 ? -1 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    /** One accepted connection, seen from the server. */
    static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private String head;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** The upgrade request's head (request line and headers), read once. */
        String head() throws IOException {
            if (head == null) {
                StringBuilder text = new StringBuilder();
                int c;
                while (!text.toString().endsWith("\r\n\r\n")) {
                    if ((c = in.read()) < 0) {
                        throw new EOFException("the client closed before its upgrade request ended");
                    }
                    text.append((char) c);
                }
                head = text.toString();
            }
            return head;
        }

        /** The 101 answer for the request's key, followed in the same write by {@code frames} (may be empty). */
        void acceptUpgrade(byte[]... frames) throws IOException {
            Matcher key = KEY.matcher(head());
            if (!key.find()) {
                throw new IOException("no Sec-WebSocket-Key in the upgrade request");
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            answer.writeBytes(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte[] frame : frames) {
                answer.writeBytes(frame);
            }
            write(answer.toByteArray());
        }

        /** Refuses the upgrade with {@code status} and a JSON body. */
        void refuseUpgrade(int status, String body) throws IOException {
            head();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            write(("HTTP/1.1 " + status + " Refused\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                    + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        }

        void write(byte[]... chunks) throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] chunk : chunks) {
                all.writeBytes(chunk);
            }
            out.write(all.toByteArray());
            out.flush();
        }

        /** The next frame the client sent. */
        Frame read() throws IOException {
            DataInputStream data = new DataInputStream(in);
            int b0 = data.readUnsignedByte();
            int b1 = data.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = data.readUnsignedShort();
            } else if (length == 127) {
                length = data.readLong();
            }
            boolean masked = (b1 & 0x80) != 0;
            byte[] mask = new byte[4];
            if (masked) {
                data.readFully(mask);
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            data.readFully(payload);
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
            }
            return new Frame((b0 & 0x80) != 0, b0 & 0x0f, masked, payload);
        }

        /** Reads until the client closes its side; true when it did (end of stream or reset). */
        boolean awaitEnd() {
            try {
                while (in.read() >= 0) {
                    // whatever else the client sends does not matter here
                }
            } catch (IOException e) {
                // a reset ends it too
            }
            return true;
        }

        /** Ends the stream (FIN) without a close frame, as a peer that drops the connection does. */
        void endWithoutCloseFrame() throws IOException {
            if (socket instanceof javax.net.ssl.SSLSocket) {
                socket.close(); // TLS has no half close: close_notify then FIN
            } else {
                socket.shutdownOutput();
            }
        }
    }

    /** A server frame (never masked) with the payload as given. */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(payload.length);
        } else if (payload.length <= 0xffff) {
            frame.write(126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        frame.writeBytes(payload);
        return frame.toByteArray();
    }

    static byte[] frame(boolean fin, int opcode, String payload) {
        return frame(fin, opcode, payload.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] text(String payload) {
        return frame(true, TEXT, payload);
    }

    static byte[] close(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return frame(true, CLOSE, payload);
    }

    private final ServerSocket server;
    private final boolean tls;
    private final Script script;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private WebSocketPeer(SSLContext tls, Script script) throws IOException {
        this.server = tls == null ? new ServerSocket(0, 1000, InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        this.tls = tls != null;
        this.script = script;
        Thread.ofVirtual().name("websocket-peer").start(this::serve);
    }

    /** A plain ({@code ws://}) peer playing {@code script} on every connection. */
    static WebSocketPeer plain(Script script) {
        return start(null, script);
    }

    /** A TLS ({@code wss://}) peer playing {@code script} on every connection. */
    static WebSocketPeer tls(SSLContext context, Script script) {
        return start(context, script);
    }

    private static WebSocketPeer start(SSLContext context, Script script) {
        try {
            return new WebSocketPeer(context, script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The endpoints whose Realtime socket URL points here ({@code ws://} or {@code wss://} 127.0.0.1). */
    OpenAiEndpoints endpoints() {
        return new OpenAiEndpoints(URI.create((tls ? "https" : "http") + "://127.0.0.1:" + server.getLocalPort()));
    }

    int connections() {
        return accepted.size();
    }

    /** What went wrong in a script (an assertion inside it, an unexpected end): empty when all went to plan. */
    List<Throwable> failures() {
        return failures;
    }

    private void serve() {
        try {
            while (!server.isClosed()) {
                Socket socket = server.accept();
                accepted.add(socket);
                Thread.ofVirtual().name("websocket-peer-connection").start(() -> {
                    try (socket) {
                        script.play(new Connection(socket));
                    } catch (IOException | RuntimeException | AssertionError e) {
                        if (!server.isClosed()) {
                            failures.add(e);
                        }
                    }
                });
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    /**
     * Runs a peer that accepts every upgrade and then holds the connection, answering pings, until the client ends it; prints
     * {@code PORT <n>} once listening. Arguments: nothing (plain) or {@code <PKCS12 key store> <password>} (TLS).
     */
    public static void main(String[] args) throws Exception {
        SSLContext context = args.length == 2 ? TestCertificate.load(Path.of(args[0]), args[1]).serverContext() : null;
        try (WebSocketPeer peer = start(context, connection -> {
            connection.acceptUpgrade();
            for (Frame frame = connection.read(); frame.opcode() != CLOSE; frame = connection.read()) {
                if (frame.opcode() == PING) {
                    connection.write(frame(true, PONG, frame.payload()));
                }
            }
        })) {
            System.out.println("PORT " + peer.server.getLocalPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the parent closes our stdin
            }
        }
    }
}
