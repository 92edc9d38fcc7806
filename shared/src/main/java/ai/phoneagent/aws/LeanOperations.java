package ai.phoneagent.aws;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * An SDK client interface ({@code DynamoDbClient}, {@code SqsClient}) whose hot operations go straight to the wire
 * ({@link AwsJsonTransport}) and every other call to a real SDK client, built on its first use. An operation goes
 * the lean way only when its request holds nothing but the fields the lean code writes (and as overrides at most
 * timeouts, such as {@link AwsTimeouts#longPoll a long poll's}, and API names): anything else, such as a field a later
 * change starts to set, goes to the SDK, so no request is ever sent with a field left out. Paginators are the
 * interface's own, paging through the lean operation.
 */
final class LeanOperations {
    private LeanOperations() {
    }

    /**
     * One operation sent straight to the wire.
     *
     * @param name   the operation as the service names it ({@code GetItem}), from its request type
     * @param method the client interface's method of the operation ({@code getItem}; not its paginator,
     *               {@code queryPaginator}, which takes the same request)
     */
    record Operation<Q extends AwsRequest>(Class<Q> requestType, String name, String method, Function<Q, Object> call,
                                            List<SdkField<?>> otherFields) {
        /**
         * @param emptyRequest a request with nothing set: its type and fields describe the operation
         * @param members      the request's members (as the SDK's models name them) the lean code writes
         */
        @SuppressWarnings("unchecked") // an SDK model request's class is exactly its type (the model classes are final)
        static <Q extends AwsRequest> Operation<Q> of(Q emptyRequest, Set<String> members, Function<Q, Object> call) {
            Class<Q> requestType = (Class<Q>) emptyRequest.getClass();
            List<SdkField<?>> fields = emptyRequest.sdkFields();
            List<String> unknown = members.stream()
                    .filter(m -> fields.stream().noneMatch(f -> f.memberName().equals(m))).toList();
            if (!unknown.isEmpty()) {
                throw new IllegalStateException(requestType.getSimpleName() + " has no members " + unknown);
            }
            String name = requestType.getSimpleName().replaceFirst("Request$", "");
            return new Operation<>(requestType, name, Character.toLowerCase(name.charAt(0)) + name.substring(1), call,
                    fields.stream().filter(field -> !members.contains(field.memberName())).toList());
        }

        /** Whether this request holds only what the lean code writes. */
        boolean takes(AwsRequest request) {
            for (SdkField<?> field : otherFields) {
                if (JsonWire.isSet(field.getValueOrDefault(request))) {
                    return false;
                }
            }
            return request.overrideConfiguration().map(LeanOperations::onlyTimeouts).orElse(true);
        }

        Object run(AwsRequest request) {
            return call.apply(requestType.cast(request));
        }
    }

    /** The operations, looked up by the type of the request a client method is given. */
    static Map<Class<?>, Operation<?>> byRequestType(Operation<?>... operations) {
        return java.util.Arrays.stream(operations).collect(java.util.stream.Collectors.toUnmodifiableMap(
                Operation::requestType, operation -> operation));
    }

    /** Timeouts (which the lean path honours) and API names (the SDK's user-agent tags, such as a paginator's). */
    private static boolean onlyTimeouts(AwsRequestOverrideConfiguration config) {
        var plain = AwsRequestOverrideConfiguration.builder();
        config.apiNames().forEach(plain::addApiName);
        return config.toBuilder().apiCallTimeout(null).apiCallAttemptTimeout(null).build().equals(plain.build());
    }

    /**
     * A {@code clientType} whose requests of the {@code lean} types go to their operation, every other request to
     * {@code sdk} (built on first use), its builder forms to the interface's own code (which builds the request and
     * calls back here), and {@code close()} to both.
     */
    static <C extends SdkClient> C client(Class<C> clientType, String serviceName, Map<Class<?>, Operation<?>> lean,
                                          Supplier<C> sdk, Runnable closeLean) {
        var built = new Object() {
            volatile C client;

            C get() {
                C c = client;
                if (c == null) {
                    synchronized (this) {
                        if (client == null) {
                            client = sdk.get();
                        }
                        c = client;
                    }
                }
                return c;
            }
        };
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault() && method.getName().endsWith("Paginator")) {
                // the interface's paginator: its pages come back here, so a lean operation's pages are lean too
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (args != null && args.length == 1 && args[0] instanceof AwsRequest request) {
                Operation<?> operation = lean.get(request.getClass());
                if (operation != null && operation.method().equals(method.getName()) && operation.takes(request)) {
                    try {
                        return operation.run(request);
                    } catch (java.io.UncheckedIOException malformed) {
                        // an answer that is not the protocol's JSON: an AWS call's failure, as the SDK reports it
                        throw SdkClientException.create(serviceName + "." + operation.name() + " failed: "
                                + malformed.getMessage(), malformed);
                    }
                }
                return invoke(method, built.get(), args);
            }
            return switch (method.getName()) {
                case "close" -> {
                    closeLean.run();
                    if (built.client != null) {
                        built.client.close();
                    }
                    yield null;
                }
                case "serviceName" -> serviceName;
                case "toString" -> "lean " + serviceName + " client";
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                // a builder form builds its request and calls back here; anything else is the SDK's
                default -> method.isDefault() && args != null && args.length == 1 && args[0] instanceof Consumer<?>
                        ? InvocationHandler.invokeDefault(proxy, method, args) : invoke(method, built.get(), args);
            };
        };
        return clientType.cast(Proxy.newProxyInstance(clientType.getClassLoader(), new Class<?>[] {clientType}, handler));
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
