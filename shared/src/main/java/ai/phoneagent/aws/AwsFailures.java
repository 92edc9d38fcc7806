package ai.phoneagent.aws;

import java.net.URI;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Which AWS call failed, where, and whether it hung. Every client built by {@link AwsClients} reports here: a
 * client-side failure (timeout, refused or reset connection) gets the operation and endpoint prepended to its
 * message (same exception type, so existing handling is unchanged), and {@link #of(Throwable)} answers the typed
 * facts for any exception an AWS call threw. Messages never hold credentials: operation, endpoint and the cause.
 */
public final class AwsFailures implements ExecutionInterceptor {
    static final AwsFailures INTERCEPTOR = new AwsFailures();
    private static final Map<Throwable, Failure> FAILURES = Collections.synchronizedMap(new WeakHashMap<>());

    /** A failed AWS call: the SDK's service name ({@code DynamoDb}, {@code Sqs}…), operation and endpoint. */
    public record Failure(String service, String operation, String endpoint, boolean timedOut) {
    }

    private AwsFailures() {
    }

    /** The failed call behind {@code thrown} (or one of its causes), if an {@link AwsClients} client threw it. */
    public static Optional<Failure> of(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            Failure failure = FAILURES.get(t);
            if (failure != null) {
                return Optional.of(failure);
            }
        }
        return Optional.empty();
    }

    /** Notes which call {@code failure} is the failure of (for the clients that report without the SDK's pipeline). */
    static void record(Throwable failure, Failure call) {
        FAILURES.put(failure, call);
    }

    @Override
    public Throwable modifyException(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable failure = context.exception();
        if (failure instanceof SdkClientException client && !(failure instanceof AwsServiceException)) {
            String message = Optional.ofNullable(client.getMessage()).orElse(client.getClass().getSimpleName());
            return client.toBuilder().message(name(attributes) + " at " + endpoint(attributes) + " failed: " + message)
                    .build();
        }
        return failure;
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable failure = context.exception();
        boolean timedOut = failure instanceof ApiCallTimeoutException || failure instanceof ApiCallAttemptTimeoutException;
        if (failure instanceof SdkException) {
            FAILURES.put(failure, new Failure(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME),
                    attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), endpoint(attributes), timedOut));
        }
    }

    private static String name(ExecutionAttributes attributes) {
        return attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    }

    private static String endpoint(ExecutionAttributes attributes) {
        URI endpoint = attributes.getAttribute(SdkExecutionAttribute.CLIENT_ENDPOINT);
        return endpoint == null ? "the default endpoint" : endpoint.toString();
    }
}
