package ai.phoneagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BufferedBodyConnectionTest {
    private HttpServer server;
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(exchange.getRequestHeaders().getFirst("Content-Length") + " "
                    + new String(body, StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("ok".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String post(String body, boolean declareWrongLength) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        HttpURLConnection connection = new BufferedBodyConnection((HttpURLConnection) uri.toURL().openConnection());
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // as the SDK asks; streamed, a body longer than declared would fail with "too many bytes written"
        connection.setFixedLengthStreamingMode(declareWrongLength ? 1 : bytes.length);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(bytes);
        }
        assertThat(connection.getResponseCode()).isEqualTo(200);
        try (var in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBodyIsSentBufferedWhateverStreamingModeWasAskedFor() throws Exception {
        assertThat(post("{\"TableName\":\"calls\"}", true)).isEqualTo("ok");
        assertThat(received).containsExactly("21 {\"TableName\":\"calls\"}");
    }

    @Test
    void requestsOnAPooledConnectionGoThroughInTurn() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(post("{\"n\":" + i + "}", false)).isEqualTo("ok");
        }
        assertThat(received).containsExactly("7 {\"n\":0}", "7 {\"n\":1}", "7 {\"n\":2}", "7 {\"n\":3}", "7 {\"n\":4}");
    }
}
