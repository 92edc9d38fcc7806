package ai.phoneagent.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The AWS SDK's HTTP transport on the JDK's {@link HttpClient} (HTTP/1.1, pooled keep-alive connections).
 * It replaces the SDK's URL-connection client, which sends every request with a body in fixed-length streaming mode:
 * headers and body go out as two TCP segments from a socket with Nagle's algorithm on, and before each reuse of a
 * pooled connection it probes it with a 1 ms blocking read that ends in a thrown {@code SocketTimeoutException}. That
 * cost every DynamoDB and SQS request more than a millisecond of latency and CPU. The JDK client sets
 * {@code TCP_NODELAY}, writes a small request in one go and checks pooled connections without blocking.
 * <p>
 * Our requests and responses are small JSON documents, so a request body is read into memory before sending.
 * {@link ExecutableHttpRequest#abort()} (the SDK's attempt timeout) cancels the exchange, which closes its connection.
 */
final class JdkHttpTransport implements SdkHttpClient {
    /** Headers the JDK client sets itself and refuses from callers; it writes the same values. */
    private static final Set<String> SET_BY_TRANSPORT = Set.of("host", "content-length", "connection", "expect", "upgrade");
    private final HttpClient http;
    private final Duration responseTimeout;

    /**
     * @param connectTimeout  bound on opening a TCP connection
     * @param responseTimeout bound on waiting for a response's headers (an SQS long poll waits up to 20 s for them)
     */
    JdkHttpTransport(Duration connectTimeout, Duration responseTimeout) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.responseTimeout = responseTimeout;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new Exchange(toJdk(request));
    }

    private HttpRequest toJdk(HttpExecuteRequest request) {
        SdkHttpRequest sdk = request.httpRequest();
        HttpRequest.Builder builder = HttpRequest.newBuilder(sdk.getUri()).timeout(responseTimeout);
        for (Map.Entry<String, List<String>> header : sdk.headers().entrySet()) {
            if (!SET_BY_TRANSPORT.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                for (String value : header.getValue()) {
                    builder.header(header.getKey(), value);
                }
            }
        }
        HttpRequest.BodyPublisher body = request.contentStreamProvider()
                .map(provider -> {
                    try (InputStream in = provider.newStream()) {
                        return HttpRequest.BodyPublishers.ofByteArray(in.readAllBytes());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .orElseGet(HttpRequest.BodyPublishers::noBody);
        return builder.method(sdk.method().name(), body).build();
    }

    /** One request in flight: sent by {@link #call()}, cancelled by {@link #abort()} from the SDK's timeout thread. */
    private final class Exchange implements ExecutableHttpRequest {
        private final HttpRequest request;
        private volatile CompletableFuture<HttpResponse<InputStream>> inFlight;
        private volatile boolean aborted;

        Exchange(HttpRequest request) {
            this.request = request;
        }

        @Override
        public HttpExecuteResponse call() throws IOException {
            CompletableFuture<HttpResponse<InputStream>> future = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
            inFlight = future;
            if (aborted) {
                future.cancel(true);
            }
            HttpResponse<InputStream> response;
            try {
                response = future.get();
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + request.method() + " " + request.uri());
            } catch (CancellationException e) {
                throw new IOException("request aborted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
            SdkHttpResponse.Builder head = SdkHttpResponse.builder().statusCode(response.statusCode());
            response.headers().map().forEach((name, values) -> {
                if (!name.startsWith(":")) {
                    head.putHeader(name, values);
                }
            });
            InputStream body = response.body();
            return HttpExecuteResponse.builder()
                    .response(head.build())
                    .responseBody(AbortableInputStream.create(body, () -> closeQuietly(body)))
                    .build();
        }

        @Override
        public void abort() {
            aborted = true;
            CompletableFuture<HttpResponse<InputStream>> future = inFlight;
            if (future != null) {
                future.cancel(true);
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // aborting: the connection is discarded either way
        }
    }

    @Override
    public String clientName() {
        return "JdkHttp";
    }

    @Override
    public void close() {
        http.close();
    }
}
