package ai.phoneagent.aws;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The HTTP/1.1 client under {@link AwsJsonTransport}: a POST of a small body on a pooled keep-alive connection, written
 * in one segment with {@code TCP_NODELAY}, and its answer read whole, every wait bounded by the request's deadline.
 * That one request shape is all DynamoDB's and SQS's JSON protocols need, so this is a few hundred lines where a
 * general client spends most of a request's CPU on generality.
 * <ul>
 *   <li>At most {@link #MAX_CONNECTIONS} connections per endpoint; a request that finds them all busy waits for one
 *       until its deadline.</li>
 *   <li>A connection idle for {@link #MAX_IDLE} or more is closed instead of reused (servers drop idle ones), and
 *       none is used past {@link #TIME_TO_LIVE} (so a changed address of an AWS endpoint is picked up).</li>
 *   <li>A reused connection the server closed meanwhile fails before any answer byte: the request is sent once more
 *       on a new connection, as any HTTP client does.</li>
 *   <li>Sockets are {@link SocketChannel}s, so interrupting a waiting thread (how the worker stops a long poll) closes
 *       its connection and ends the wait at once, on platform and virtual threads alike.</li>
 *   <li>https endpoints use the JDK's default TLS context with host name verification.</li>
 * </ul>
 */
final class AwsWire implements AwsJsonTransport.Wire {
    static final int MAX_CONNECTIONS = 64;
    static final Duration MAX_IDLE = Duration.ofSeconds(20);
    static final Duration TIME_TO_LIVE = Duration.ofMinutes(5);
    private static final int MAX_HEADER_LINE = 16 * 1024;
    private static final int MAX_BODY = 16 * 1024 * 1024;

    private final Duration connectTimeout;
    private final SSLSocketFactory tls;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A wire whose https connections use the JDK's default TLS context. */
    AwsWire(Duration connectTimeout) {
        this(connectTimeout, null);
    }

    /** @param tls the TLS of https connections; null for the JDK's default context */
    AwsWire(Duration connectTimeout, SSLSocketFactory tls) {
        this.connectTimeout = connectTimeout;
        this.tls = tls;
    }

    /** The idle connections of one endpoint and the permits that bound all of its connections. */
    private static final class Pool {
        final Semaphore permits = new Semaphore(MAX_CONNECTIONS);
        final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    }

    @Override
    public AwsJsonTransport.Answer post(AwsJsonTransport.Post post, long deadlineNanos) throws IOException {
        URI endpoint = post.endpoint();
        Pool pool = pools.computeIfAbsent(endpoint.getScheme() + "://" + post.host(), k -> new Pool());
        acquire(pool, deadlineNanos);
        try {
            byte[] request = render(post);
            Connection connection = pool.idle.pollFirst();
            while (connection != null && connection.expired()) {
                connection.close();
                connection = pool.idle.pollFirst();
            }
            if (connection != null) {
                try {
                    return exchange(pool, connection, request, deadlineNanos);
                } catch (StaleConnection stale) {
                    // the server closed it while it sat idle: the request never reached it, so it is sent again
                }
            }
            return exchange(pool, Connection.open(endpoint, connectTimeout, tls, deadlineNanos), request, deadlineNanos);
        } finally {
            pool.permits.release();
        }
    }

    private static void acquire(Pool pool, long deadlineNanos) throws IOException {
        try {
            if (!pool.permits.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new SocketTimeoutException("every pooled connection busy until the deadline");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a pooled connection");
        }
    }

    private AwsJsonTransport.Answer exchange(Pool pool, Connection connection, byte[] request, long deadlineNanos)
            throws IOException {
        boolean reusable = false;
        try {
            Connection.Response response = connection.exchange(request, deadlineNanos);
            reusable = response.keepAlive() && !closed;
            return new AwsJsonTransport.Answer(response.status(), response.requestId(), response.body());
        } finally {
            if (reusable) {
                connection.idleSince(System.nanoTime());
                pool.idle.addFirst(connection);
            } else {
                connection.close();
            }
        }
    }

    private static byte[] render(AwsJsonTransport.Post post) {
        StringBuilder head = new StringBuilder(512).append("POST ").append(post.path()).append(" HTTP/1.1\r\nHost: ")
                .append(post.host()).append("\r\n");
        post.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(post.body().length).append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[headBytes.length + post.body().length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(post.body(), 0, request, headBytes.length, post.body().length);
        return request;
    }

    @Override
    public void close() {
        closed = true;
        pools.values().forEach(pool -> {
            for (Connection c = pool.idle.pollFirst(); c != null; c = pool.idle.pollFirst()) {
                c.close();
            }
        });
    }

    /** A reused connection that failed before its answer began: the server had closed it. */
    private static final class StaleConnection extends IOException {
        StaleConnection(IOException cause) {
            super("pooled connection closed by the server", cause);
        }
    }

    /** One keep-alive connection; used by one request at a time. */
    private static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final long openedAt = System.nanoTime();
        private long idleSince = -1;
        private long deadlineNanos;

        record Response(int status, String requestId, byte[] body, boolean keepAlive) {
        }

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(new DeadlineInput(socket.getInputStream()), 8192);
            this.out = socket.getOutputStream();
        }

        static Connection open(URI endpoint, Duration connectTimeout, SSLSocketFactory tlsSockets, long deadlineNanos)
                throws IOException {
            boolean tls = "https".equalsIgnoreCase(endpoint.getScheme());
            int port = endpoint.getPort() > 0 ? endpoint.getPort() : tls ? 443 : 80;
            SocketChannel channel = SocketChannel.open();
            try {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                long left = remainingMillis(deadlineNanos);
                channel.socket().connect(new InetSocketAddress(endpoint.getHost(), port),
                        (int) Math.min(connectTimeout.toMillis(), left));
                Socket socket = channel.socket();
                if (tls) {
                    // the JDK's default context only when an https endpoint needs it (its set-up costs a cold start)
                    SSLSocketFactory factory = tlsSockets != null ? tlsSockets : (SSLSocketFactory) SSLSocketFactory.getDefault();
                    SSLSocket ssl = (SSLSocket) factory.createSocket(socket, endpoint.getHost(), port, true);
                    SSLParameters parameters = ssl.getSSLParameters();
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    ssl.setSSLParameters(parameters);
                    ssl.setSoTimeout((int) remainingMillis(deadlineNanos));
                    ssl.startHandshake();
                    socket = ssl;
                }
                return new Connection(socket);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        boolean expired() {
            long now = System.nanoTime();
            return now - idleSince >= MAX_IDLE.toNanos() || now - openedAt >= TIME_TO_LIVE.toNanos() || socket.isClosed();
        }

        void idleSince(long nanos) {
            idleSince = nanos;
        }

        Response exchange(byte[] request, long deadline) throws IOException {
            this.deadlineNanos = deadline;
            boolean reused = idleSince >= 0;
            int status;
            try {
                out.write(request);
                out.flush();
                status = readStatus();
            } catch (InterruptedIOException e) { // a timeout or an interrupt: not a stale connection
                throw e;
            } catch (IOException e) {
                if (reused && !Thread.currentThread().isInterrupted()) {
                    throw new StaleConnection(e);
                }
                throw e;
            }
            int contentLength = -1;
            boolean chunked = false;
            boolean keepAlive = true;
            String requestId = null;
            for (String line = readLine(); !line.isEmpty(); line = readLine()) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed header line in the answer");
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    contentLength = parseLength(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    keepAlive = !value.equalsIgnoreCase("close");
                } else if (name.equalsIgnoreCase("x-amzn-RequestId")) {
                    requestId = value;
                }
            }
            byte[] body;
            if (chunked) {
                body = readChunked();
            } else if (contentLength >= 0) {
                body = readExactly(contentLength);
            } else {
                body = readToEnd();
                keepAlive = false;
            }
            return new Response(status, requestId, body, keepAlive);
        }

        private int readStatus() throws IOException {
            String line = readLine();
            // "HTTP/1.1 200 OK"
            if (!line.startsWith("HTTP/1.") || line.length() < 12) {
                throw new IOException("malformed status line in the answer");
            }
            try {
                return Integer.parseInt(line.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("malformed status code in the answer");
            }
        }

        private static int parseLength(String value) throws IOException {
            try {
                int length = Integer.parseInt(value);
                if (length < 0 || length > MAX_BODY) {
                    throw new IOException("answer length out of bounds: " + length);
                }
                return length;
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length in the answer");
            }
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder(64);
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("connection closed before the answer was complete");
                }
                if (b == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
                if (line.length() >= MAX_HEADER_LINE) {
                    throw new IOException("answer header line too long");
                }
                line.append((char) b);
            }
        }

        private byte[] readExactly(int length) throws IOException {
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new EOFException("connection closed after " + body.length + " of " + length + " answer bytes");
            }
            return body;
        }

        private byte[] readChunked() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = readLine();
                int semicolon = size.indexOf(';');
                int length;
                try {
                    length = Integer.parseInt((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("malformed chunk size in the answer");
                }
                if (length < 0 || body.size() + length > MAX_BODY) {
                    throw new IOException("answer too large");
                }
                if (length == 0) {
                    for (String trailer = readLine(); !trailer.isEmpty(); trailer = readLine()) {
                        // trailers carry nothing this client needs
                    }
                    return body.toByteArray();
                }
                body.write(readExactly(length));
                readLine(); // the CRLF after the chunk
            }
        }

        private byte[] readToEnd() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (body.size() + n > MAX_BODY) {
                    throw new IOException("answer too large");
                }
                body.write(buffer, 0, n);
            }
            return body.toByteArray();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a connection nobody will use again
            }
        }

        private static long remainingMillis(long deadlineNanos) throws SocketTimeoutException {
            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            return left;
        }

        /** Every read waits at most until the current request's deadline. */
        private final class DeadlineInput extends InputStream {
            private final InputStream raw;

            DeadlineInput(InputStream raw) {
                this.raw = raw;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis(deadlineNanos)));
                return raw.read(b, off, len);
            }
        }
    }
}
