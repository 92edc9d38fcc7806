package ai.phoneagent.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;

/**
 * A DynamoDB client that hands each request to a test's hook before the real client: to fail, stall or watch chosen
 * requests while everything else reaches the real engine. The builder forms ({@code getItem(b -> ...)}) are built
 * into their request objects first, so a hook sees every request as one.
 */
public final class InterceptedDynamo {
    /** Decides what one request gets. */
    @FunctionalInterface
    public interface Hook {
        /** Returns {@code proceed.call()} for the real answer, or throws, or waits first. */
        Object handle(DynamoDbRequest request, Callable<Object> proceed) throws Exception;
    }

    private InterceptedDynamo() {
    }

    public static DynamoDbClient around(DynamoDbClient real, Hook hook) {
        return (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
                new Class<?>[] {DynamoDbClient.class}, (proxy, method, args) -> {
                    boolean one = args != null && args.length == 1;
                    if (one && args[0] instanceof Consumer<?> && method.isDefault()) {
                        return InvocationHandler.invokeDefault(proxy, method, args); // builds, then calls the proxy
                    }
                    Callable<Object> proceed = () -> {
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            if (e.getCause() instanceof Exception cause) {
                                throw cause;
                            }
                            throw (Error) e.getCause();
                        }
                    };
                    return one && args[0] instanceof DynamoDbRequest request ? hook.handle(request, proceed) : proceed.call();
                });
    }
}
