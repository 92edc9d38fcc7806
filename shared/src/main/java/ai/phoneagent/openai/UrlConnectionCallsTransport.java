package ai.phoneagent.openai;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@link CallsTransport} over the JDK's {@code HttpURLConnection}. The body is buffered, not streamed: before a
 * streamed POST on a pooled connection the JDK probes it with a read that blocks 1 ms (and throws), on the call's
 * path. A pooled connection found dead by the request itself may then be retried once by the JDK, as
 * {@link CallsClient} retries an I/O failure anyway (an accept or hang-up repeated is answered as the first). The
 * attempt's budget bounds the connect and every read; an https URL uses the JDK's default TLS context, built on
 * first use.
 */
final class UrlConnectionCallsTransport implements CallsTransport {
    /** More of an error body than anyone reads: the rest is dropped with the connection. */
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private final int connectMillis;

    UrlConnectionCallsTransport(Duration connectTimeout) {
        this.connectMillis = millis(connectTimeout);
    }

    @Override
    public Reply post(URI uri, String authorization, String body, Duration timeout) throws IOException {
        int budget = millis(timeout);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        boolean reusable = false;
        try {
            connection.setConnectTimeout(Math.min(connectMillis, budget));
            connection.setReadTimeout(budget);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestMethod("POST");
            connection.setRequestProperty("Authorization", authorization);
            connection.setRequestProperty("Content-Type", "application/json; charset=utf-8");
            connection.setRequestProperty("Accept", "application/json");
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(bytes);
            }
            int status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String text = "";
            if (in != null) {
                try (in) {
                    text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
                    reusable = in.read() < 0; // read to the end: the connection goes back to the JDK's keep-alive cache
                }
            }
            return new Reply(status, Reply.success(status) ? "" : text);
        } finally {
            if (!reusable) {
                connection.disconnect();
            }
        }
    }

    private static int millis(Duration duration) {
        return (int) Math.clamp(duration.toMillis(), 1, Integer.MAX_VALUE);
    }
}
