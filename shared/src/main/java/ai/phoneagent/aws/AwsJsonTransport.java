package ai.phoneagent.aws;

import ai.phoneagent.openai.RetryPolicy;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * One AWS service's JSON protocol over {@link AwsWire}, and every cross-cutting concern of its calls in this one
 * place: SigV4 signing, the {@link AwsTimeouts} (each attempt and the whole call), retries with the one backoff
 * ({@link RetryPolicy}) on throttling, 5xx answers, timeouts and broken connections, request counting
 * ({@link AwsRequestCounter}), and failures that name the operation and endpoint ({@link AwsFailures}). Errors are
 * the SDK's own exception types, so code written against the SDK's clients handles them unchanged.
 */
final class AwsJsonTransport {
    static final String CONTENT_TYPE = "application/x-amz-json-1.0";
    /** Attempts per call, as the SDK's standard retry mode; the call's timeout may stop them sooner. */
    static final int MAX_ATTEMPTS = 3;
    private static final RetryPolicy BACKOFF = new RetryPolicy(Duration.ofSeconds(20), Duration.ofMillis(50),
            Duration.ofSeconds(1), RandomGenerator.getDefault());
    /** Error codes AWS uses for throttling, retried as the SDK retries them. */
    private static final Set<String> THROTTLING = Set.of("Throttling", "ThrottlingException", "ThrottledException",
            "RequestThrottledException", "TooManyRequestsException", "ProvisionedThroughputExceededException",
            "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
            "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException");

    /** Carries one signed POST; {@link AwsWire} on the network, or an offline stand-in for SnapStart priming. */
    interface Wire extends AutoCloseable {
        Answer post(Post post, long deadlineNanos) throws IOException;

        @Override
        void close();
    }

    /** A request as sent: endpoint, {@code Host} header value, path, target operation, other headers and body. */
    record Post(URI endpoint, String host, String path, String target, Map<String, String> headers, byte[] body) {
    }

    /** A complete answer. */
    record Answer(int status, String requestId, byte[] body) {
    }

    /** Turns a service's error answer into its SDK exception type (and an unknown code into the service's base type). */
    @FunctionalInterface
    interface ErrorTypes {
        AwsServiceException.Builder builderFor(String code, byte[] body);
    }

    private final String service;
    private final String targetPrefix;
    private final URI endpoint;
    private final String host;
    private final String path;
    private final SigV4 signer;
    private final AwsCredentialsProvider credentials;
    private final AwsTimeouts timeouts;
    private final Wire wire;
    private final ErrorTypes errorTypes;

    /**
     * @param service      the SDK's service name, as counted and reported ({@code DynamoDb}, {@code Sqs})
     * @param signingName  the name in the signature's scope ({@code dynamodb}, {@code sqs})
     * @param targetPrefix the {@code X-Amz-Target} before the operation ({@code DynamoDB_20120810.})
     */
    AwsJsonTransport(String service, String signingName, String targetPrefix, URI endpoint, String region,
                     AwsCredentialsProvider credentials, AwsTimeouts timeouts, Wire wire, ErrorTypes errorTypes) {
        this.service = service;
        this.targetPrefix = targetPrefix;
        this.endpoint = endpoint;
        boolean defaultPort = endpoint.getPort() < 0
                || endpoint.getPort() == ("https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 80);
        this.host = defaultPort ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
        this.path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        this.signer = new SigV4(region, signingName);
        this.credentials = credentials;
        this.timeouts = timeouts;
        this.wire = wire;
        this.errorTypes = errorTypes;
    }

    /** The regional endpoint of a service AWS hosts at {@code <prefix>.<region>.amazonaws.com}. */
    static URI regionalEndpoint(String prefix, String region) {
        return URI.create("https://" + prefix + "." + region + (region.startsWith("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com"));
    }

    URI endpoint() {
        return endpoint;
    }

    /**
     * Calls {@code operation} with {@code request}'s {@link AwsTimeouts#longPoll timeout overrides}, if any, else the
     * process's timeouts.
     */
    byte[] call(String operation, AwsRequest request, byte[] body, int transactItems) {
        var config = request.overrideConfiguration();
        if (config.isEmpty()) {
            return call(operation, body, transactItems, timeouts.attempt(), timeouts.call());
        }
        Duration call = config.get().apiCallTimeout().orElse(timeouts.call());
        Duration attempt = config.get().apiCallAttemptTimeout().orElse(timeouts.attempt());
        return call(operation, body, transactItems, attempt.compareTo(call) > 0 ? call : attempt, call);
    }

    /**
     * Sends {@code body} to {@code operation} and returns the successful answer's body; retries as the class says.
     *
     * @param transactItems the items of a DynamoDB transaction (each costs two write units), counted for the bench
     */
    byte[] call(String operation, byte[] body, int transactItems, Duration attemptTimeout, Duration callTimeout) {
        String name = service + "." + operation;
        long started = System.nanoTime();
        long callDeadline = started + callTimeout.toNanos();
        AwsRequestCounter.GLOBAL.callStarted(name);
        try {
            for (int attempt = 1; ; attempt++) {
                long attemptDeadline = Math.min(System.nanoTime() + attemptTimeout.toNanos(), callDeadline);
                Answer answer;
                long sent = System.nanoTime();
                AwsRequestCounter.GLOBAL.attemptSent(name, transactItems);
                try {
                    answer = wire.post(post(operation, body), attemptDeadline);
                } catch (SocketTimeoutException e) {
                    boolean callOver = attemptDeadline == callDeadline || System.nanoTime() >= callDeadline;
                    SdkException timeout = callOver
                            ? ApiCallTimeoutException.builder().message(failed(name, "no answer within the call timeout of "
                            + callTimeout.toMillis() + " ms (" + describe(e) + ")")).cause(e).build()
                            : ApiCallAttemptTimeoutException.builder().message(failed(name, "no answer within the attempt "
                            + "timeout of " + attemptTimeout.toMillis() + " ms (" + describe(e) + ")")).cause(e).build();
                    if (callOver || attempt >= MAX_ATTEMPTS) {
                        throw recorded(timeout, operation, true);
                    }
                    continue; // a hung attempt is retried at once: the wait was its backoff
                } catch (IOException e) {
                    if (e instanceof ClosedByInterruptException || e instanceof InterruptedIOException
                            || Thread.currentThread().isInterrupted()) {
                        // the socket's adaptor may report an interrupt as a plain "closed by interrupt"
                        Thread.currentThread().interrupt();
                        throw recorded(AbortedException.builder().message(failed(name, "interrupted")).cause(e).build(),
                                operation, false);
                    }
                    SdkClientException broken = SdkClientException.builder()
                            .message(failed(name, "Unable to execute HTTP request: " + describe(e))).cause(e).build();
                    pauseOrThrow(broken, operation, attempt, callDeadline);
                    continue;
                } finally {
                    AwsRequestCounter.GLOBAL.attemptAnswered(name, sent);
                }
                if (answer.status() / 100 == 2) {
                    return answer.body();
                }
                AwsServiceException error = serviceError(answer);
                if (answer.status() >= 500 || THROTTLING.contains(error.awsErrorDetails().errorCode())) {
                    pauseOrThrow(error, operation, attempt, callDeadline);
                    continue;
                }
                throw recorded(error, operation, false);
            }
        } finally {
            AwsRequestCounter.GLOBAL.callEnded(name, started);
        }
    }

    private Post post(String operation, byte[] body) {
        AwsCredentials resolved = credentials.resolveCredentials();
        String token = resolved instanceof AwsSessionCredentials session ? session.sessionToken() : null;
        String target = targetPrefix + operation;
        SigV4.Signed signed = signer.sign(resolved.accessKeyId(), resolved.secretAccessKey(), token, host, path,
                CONTENT_TYPE, target, body, Instant.now());
        Map<String, String> headers = new LinkedHashMap<>(8);
        headers.put("Content-Type", CONTENT_TYPE);
        headers.put("X-Amz-Target", target);
        headers.put("X-Amz-Content-Sha256", signed.payloadHash());
        headers.put("X-Amz-Date", signed.amzDate());
        if (token != null) {
            headers.put("X-Amz-Security-Token", token);
        }
        headers.put("Authorization", signed.authorization());
        return new Post(endpoint, host, path, target, headers, body);
    }

    /** Pauses before the next attempt when one is left and the call's deadline allows; throws {@code failure} otherwise. */
    private void pauseOrThrow(SdkException failure, String operation, int attempt, long callDeadline) {
        long pause = BACKOFF.delayBefore(attempt).toNanos();
        if (attempt >= MAX_ATTEMPTS || System.nanoTime() + pause >= callDeadline) {
            throw recorded(failure, operation, false);
        }
        LockSupport.parkNanos(pause);
        if (Thread.currentThread().isInterrupted()) {
            throw recorded(AbortedException.builder().message(failed(service + "." + operation, "interrupted"))
                    .cause(failure).build(), operation, false);
        }
    }

    private AwsServiceException serviceError(Answer answer) {
        String[] fields = new String[3]; // __type, code, message
        try {
            JsonWire.read(answer.body(), (name, in) -> {
                switch (name) {
                    case "__type" -> fields[0] = in.string();
                    case "code" -> fields[1] = in.string();
                    case "message", "Message" -> fields[2] = in.string();
                    default -> in.skip();
                }
            });
        } catch (java.io.UncheckedIOException notJson) {
            // an error page from something in front of AWS: its status says enough
        }
        // "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", or a bare code
        String type = fields[0] != null ? fields[0] : fields[1] != null ? fields[1] : "";
        String code = type.substring(type.indexOf('#') + 1);
        int colon = code.indexOf(':');
        code = colon >= 0 ? code.substring(0, colon) : code;
        if (code.isEmpty()) {
            code = answer.status() >= 500 ? "InternalFailure" : "UnknownError";
        }
        String message = fields[2] != null ? fields[2] : "HTTP " + answer.status();
        AwsServiceException.Builder builder;
        try {
            builder = errorTypes.builderFor(code, answer.body());
        } catch (java.io.UncheckedIOException malformed) {
            builder = errorTypes.builderFor("", answer.body()); // the code's details unreadable: its base type
        }
        return builder
                .message(message)
                .statusCode(answer.status())
                .requestId(answer.requestId())
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code).errorMessage(message).serviceName(service)
                        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(answer.status()).build())
                        .build())
                .build();
    }

    private String failed(String name, String what) {
        return name + " at " + endpoint + " failed: " + what;
    }

    private <E extends SdkException> E recorded(E failure, String operation, boolean timedOut) {
        AwsFailures.record(failure, new AwsFailures.Failure(service, operation, endpoint.toString(), timedOut));
        return failure;
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    void close() {
        wire.close();
    }
}
