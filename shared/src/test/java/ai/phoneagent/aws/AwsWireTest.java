package ai.phoneagent.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lean clients' HTTP/1.1 wire against a scripted server on a real socket: the framings a server may answer with,
 * connections it closes, answers it never sends, and a thread interrupted while it waits.
 */
class AwsWireTest {
    /** What the server does with one request on one connection. */
    @FunctionalInterface
    private interface Script {
        /** Writes the answer; returns false to close the connection after it. */
        boolean answer(OutputStream out) throws IOException;
    }

    private ServerSocket server;
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private AwsWire wire;

    @BeforeEach
    void start() throws IOException {
        server = serving(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        wire = new AwsWire(Duration.ofSeconds(2));
    }

    /** Serves every connection {@code listening} accepts with the queued scripts. */
    private ServerSocket serving(ServerSocket listening) {
        Thread.ofPlatform().daemon().start(() -> {
            while (!listening.isClosed()) {
                try {
                    Socket socket = listening.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(socket));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return listening;
    }

    @AfterEach
    void stop() throws IOException {
        wire.close();
        server.close();
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            while (true) {
                String request = readRequest(in);
                if (request == null) {
                    return;
                }
                requests.add(request);
                Script script = scripts.poll(10, TimeUnit.SECONDS);
                if (script == null || !script.answer(socket.getOutputStream())) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        } finally {
            closedByServer.incrementAndGet();
        }
    }

    /** Waits (polling, bounded) until {@code condition} holds. */
    private static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** One request's head and body, or null at the end of the connection. */
    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static Script answering(String raw, boolean keepOpen) {
        return out -> {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return keepOpen;
        };
    }

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: r-1\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private AwsJsonTransport.Answer post(String body, Duration within) throws IOException {
        return post(wire, URI.create("http://127.0.0.1:" + server.getLocalPort()), body, within);
    }

    private static AwsJsonTransport.Answer post(AwsWire wire, URI endpoint, String body, Duration within) throws IOException {
        return wire.post(new AwsJsonTransport.Post(endpoint, endpoint.getHost() + ":" + endpoint.getPort(), "/", "T.Op",
                Map.of("X-Amz-Target", "T.Op"), body.getBytes(StandardCharsets.UTF_8)), System.nanoTime() + within.toNanos());
    }

    @Test
    void anHttpsEndpointIsReachedOverTlsAndItsCertificateMustNameTheHost(@TempDir Path dir) throws Exception {
        // a certificate for "localhost" only, made by the JDK's keytool, trusted by the client below
        Path keys = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "aws", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-keystore", keys.toString(), "-storetype", "PKCS12",
                "-storepass", "test-only", "-keypass", "test-only").redirectErrorStream(true).start();
        keytool.getInputStream().transferTo(OutputStream.nullOutputStream());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0).as("keytool made the key").isTrue();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys)) {
            store.load(in, "test-only".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, "test-only".toCharArray());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(keyManagers.getKeyManagers(), null, null);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, trust.getTrustManagers(), null);

        try (ServerSocket tlsServer = serving(serverTls.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress()));
             AwsWire tlsWire = new AwsWire(Duration.ofSeconds(2), clientTls.getSocketFactory())) {
            scripts.add(answering(ok("{\"over\":\"tls\"}"), true));
            var answer = post(tlsWire, URI.create("https://localhost:" + tlsServer.getLocalPort()), "{}", Duration.ofSeconds(10));
            assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"over\":\"tls\"}");
            assertThat(requests.getFirst()).contains("Host: localhost:" + tlsServer.getLocalPort());

            // the same trusted certificate, but reached by a name it does not carry
            assertThatThrownBy(() -> post(tlsWire, URI.create("https://127.0.0.1:" + tlsServer.getLocalPort()), "{}",
                    Duration.ofSeconds(10))).isInstanceOf(SSLHandshakeException.class);
            assertThat(requests).as("nothing sent to a host that failed verification").hasSize(1);
        }
    }

    @Test
    void sendsOneRequestAndReadsALengthFramedAnswerOnAKeptConnection() throws IOException {
        scripts.add(answering(ok("{\"a\":1}"), true));
        scripts.add(answering(ok("{\"b\":2}"), true));

        var first = post("{\"x\":\"é\"}", Duration.ofSeconds(5));
        var second = post("{}", Duration.ofSeconds(5));

        assertThat(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.requestId()).isEqualTo("r-1");
        assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("{\"b\":2}");
        assertThat(connections.get()).as("the second request reused the connection").isEqualTo(1);
        assertThat(requests.getFirst()).startsWith("POST / HTTP/1.1\r\nHost: 127.0.0.1:")
                .contains("X-Amz-Target: T.Op\r\n").contains("Content-Length: 10\r\n").endsWith("{\"x\":\"é\"}");
    }

    @Test
    void readsAChunkedAnswer() throws IOException {
        scripts.add(answering("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\n{\"__t\r\n9\r\nype\":\"X\"}\r\n0\r\nTrailer: t\r\n\r\n", true));
        scripts.add(answering(ok("{}"), true));

        var answer = post("{}", Duration.ofSeconds(5));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"__type\":\"X\"}");
        post("{}", Duration.ofSeconds(5));
        assertThat(connections.get()).as("the connection stayed usable after the chunked answer").isEqualTo(1);
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedAndTheRequestSentOnce() throws Exception {
        scripts.add(answering(ok("{}"), false)); // answers, then closes without saying so
        scripts.add(answering(ok("{\"again\":true}"), true));
        post("{}", Duration.ofSeconds(5));
        await("the server closed the first connection", () -> closedByServer.get() == 1);

        var answer = post("{\"n\":2}", Duration.ofSeconds(5));

        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"again\":true}");
        assertThat(connections.get()).isEqualTo(2);
        assertThat(requests).hasSize(2);
    }

    @Test
    void anAnswerSayingConnectionCloseIsNotReused() throws IOException {
        scripts.add(answering("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", true));
        scripts.add(answering(ok("{}"), true));
        post("{}", Duration.ofSeconds(5));
        post("{}", Duration.ofSeconds(5));
        assertThat(connections.get()).isEqualTo(2);
    }

    @Test
    void anAnswerWithoutALengthIsReadToTheConnectionsEnd() throws IOException {
        scripts.add(answering("HTTP/1.1 200 OK\r\n\r\n{\"until\":\"close\"}", false));
        var answer = post("{}", Duration.ofSeconds(5));
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"until\":\"close\"}");
    }

    @Test
    void anAnswerCutOffMidBodyIsAnIoFailureNotATruncatedAnswer() {
        scripts.add(answering("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"short\":", false));
        assertThatThrownBy(() -> post("{}", Duration.ofSeconds(5))).isInstanceOf(IOException.class)
                .hasMessageContaining("of 100 answer bytes");
    }

    @Test
    void aMalformedStatusLineIsAnIoFailure() {
        scripts.add(answering("SSH-2.0-OpenSSH\r\n\r\n", false));
        assertThatThrownBy(() -> post("{}", Duration.ofSeconds(5))).isInstanceOf(IOException.class)
                .hasMessageContaining("malformed status line");
    }

    @Test
    void anAnswerThatNeverComesEndsAtTheDeadline() {
        scripts.add(out -> {
            try {
                Thread.sleep(Duration.ofSeconds(10)); // a hung server: holds the request unanswered
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        });
        long started = System.nanoTime();
        assertThatThrownBy(() -> post("{}", Duration.ofMillis(300))).isInstanceOf(SocketTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void interruptingAPlatformThreadWaitingForAnAnswerEndsTheWaitAtOnce() throws Exception {
        scripts.add(out -> {
            try {
                Thread.sleep(Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                post("{}", Duration.ofSeconds(20));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        await("the request reached the server", () -> requests.size() == 1);

        caller.interrupt();
        caller.join(Duration.ofSeconds(3));
        assertThat(caller.isAlive()).as("the wait ended").isFalse();
        assertThat(failure.get()).isInstanceOf(IOException.class);
    }
}
