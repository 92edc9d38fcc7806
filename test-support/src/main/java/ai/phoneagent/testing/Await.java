package ai.phoneagent.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline; fails with a description instead of hanging or sleeping blindly. */
public final class Await {
    private Await() {
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes. */
    public static void until(String description, Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for: " + description);
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** Polls {@code supplier} until it returns non-null, then returns that value. */
    public static <T> T value(String description, Duration timeout, Supplier<T> supplier) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T value = supplier.get();
            if (value != null) {
                return value;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for: " + description);
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}
