package ai.phoneagent.aws;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The {@link AwsTransport#POOLED} HTTP client's settings, every one bounded (a separate class, so a process on
 * {@link AwsTransport#URL_CONNECTION} never loads Apache HttpClient's classes):
 * <ul>
 *   <li>at most {@link #MAX_CONNECTIONS} connections per endpoint; a request that finds them all busy waits at most
 *       the attempt timeout for one ({@code AWS_ATTEMPT_TIMEOUT_MS});</li>
 *   <li>TCP connect within {@code AWS_CONNECT_TIMEOUT_MS}; a socket read may last a whole SQS long poll (20 s wait
 *       plus margin), every other call being cut off sooner by its attempt timeout;</li>
 *   <li>{@code TCP_NODELAY} on (the SDK's Apache client always sets it) and no {@code Expect: 100-continue};</li>
 *   <li>a pooled connection is re-checked (a 1 ms read) only when it sat idle for 2 s or more (httpclient5's
 *       validate-after-inactivity default), not before every request;</li>
 *   <li>idle connections are closed after {@link #MAX_IDLE} by the SDK's reaper thread, and none lives longer than
 *       {@link #TIME_TO_LIVE} (so DNS changes of an AWS endpoint are picked up).</li>
 * </ul>
 */
final class ApacheTransport {
    /**
     * Connections per endpoint (DynamoDB, SQS). The worker's calls share them: each call's intake, journal writes and
     * lease renewals are short requests, plus two long polls (calls queue, nudge queue) held for up to 20 s.
     */
    static final int MAX_CONNECTIONS = 64;
    static final Duration MAX_IDLE = Duration.ofSeconds(30);
    static final Duration TIME_TO_LIVE = Duration.ofMinutes(5);

    private ApacheTransport() {
    }

    /** A builder the SDK client owns: the pool is closed with the client it serves. */
    static SdkHttpClient.Builder<?> builder(AwsTimeouts timeouts, Duration readTimeout) {
        return new Builder(Apache5HttpClient.builder()
                .maxConnections(MAX_CONNECTIONS)
                .connectionAcquisitionTimeout(timeouts.attempt())
                .connectionTimeout(timeouts.connect())
                .socketTimeout(readTimeout)
                .expectContinueEnabled(false)
                .connectionMaxIdleTime(MAX_IDLE)
                .useIdleConnectionReaper(true)
                .connectionTimeToLive(TIME_TO_LIVE));
    }

    /** Builds the Apache client inside {@link CancelledLeaseAsIo}. */
    private record Builder(Apache5HttpClient.Builder apache) implements SdkHttpClient.Builder<Builder> {
        @Override
        public SdkHttpClient buildWithDefaults(AttributeMap defaults) {
            return new CancelledLeaseAsIo(apache.buildWithDefaults(defaults));
        }
    }

    /**
     * A thread interrupted while it waits for a pooled connection (a long poll cut off at shutdown) gets httpclient5's
     * cancelled lease as a bare {@link CancellationException}, which the SDK passes through unwrapped: callers that
     * handle an AWS call's failure as an {@code SdkException} would miss it. Turned into the I/O failure it is, the SDK
     * reports it as it reports any interrupted request ({@code AbortedException}, or a client failure).
     */
    static final class CancelledLeaseAsIo implements SdkHttpClient {
        private final SdkHttpClient delegate;

        CancelledLeaseAsIo(SdkHttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            ExecutableHttpRequest prepared = delegate.prepareRequest(request);
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() throws IOException {
                    try {
                        return prepared.call();
                    } catch (CancellationException e) {
                        InterruptedIOException cut = new InterruptedIOException(
                                "request cancelled while waiting for a pooled connection");
                        cut.initCause(e);
                        throw cut;
                    }
                }

                @Override
                public void abort() {
                    prepared.abort();
                }
            };
        }

        @Override
        public String clientName() {
            return delegate.clientName();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
