package ai.phoneagent.openai;

import ai.phoneagent.logging.JsonLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Runs one idempotent step (a store write) until it succeeds, at most {@code maxAttempts} times and not past the
 * policy's deadline (counted from the run's start), pausing between attempts as the {@link RetryPolicy} says but at
 * least {@code minPause}. It logs the first failure and every 10th, and never pauses after the last attempt. The
 * clock and the pause are injected, so tests run it without sleeping.
 */
public final class RetryRunner {
    /** How often a failure is logged: the first, then every this many. */
    static final int LOG_EVERY = 10;

    /** Pauses the calling thread. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration pause);

        /** Parks the calling thread (a virtual thread's carrier is freed meanwhile). */
        Sleeper PARK = pause -> LockSupport.parkNanos(pause.toNanos());
    }

    /** Told of every failed attempt before the runner decides to go on; false stops the run now (given up). */
    @FunctionalInterface
    public interface FailureHook {
        boolean keepTrying(int attempt, RuntimeException error);

        FailureHook ALWAYS = (attempt, error) -> true;
    }

    /** What a run came to. */
    public sealed interface Outcome<T> {
        int attempts();

        record Done<T>(T value, int attempts) implements Outcome<T> {
        }

        /** @param last the last attempt's failure */
        record GaveUp<T>(RuntimeException last, int attempts) implements Outcome<T> {
        }
    }

    private final RetryPolicy policy;
    private final int maxAttempts;
    private final Duration minPause;
    private final Clock clock;
    private final Sleeper sleeper;

    public RetryRunner(RetryPolicy policy, int maxAttempts, Duration minPause, Clock clock, Sleeper sleeper) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.policy = policy;
        this.maxAttempts = maxAttempts;
        this.minPause = minPause;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** With the system clock, parking between attempts. */
    public static RetryRunner of(RetryPolicy policy, int maxAttempts, Duration minPause) {
        return new RetryRunner(policy, maxAttempts, minPause, Clock.systemUTC(), Sleeper.PARK);
    }

    /**
     * Runs {@code step}; a failure is logged on {@code log} as {@code message} with {@code fields} plus the attempt
     * and the error (the first failure as a warning, then every {@value #LOG_EVERY}th).
     */
    public <T> Outcome<T> run(Supplier<T> step, JsonLog log, String message, Map<String, ?> fields) {
        return run(step, log, message, fields, FailureHook.ALWAYS);
    }

    /** As {@link #run(Supplier, JsonLog, String, Map)}, telling {@code hook} of every failure first. */
    public <T> Outcome<T> run(Supplier<T> step, JsonLog log, String message, Map<String, ?> fields, FailureHook hook) {
        Instant deadline = clock.instant().plus(policy.deadline());
        for (int attempt = 1; ; attempt++) {
            try {
                return new Outcome.Done<>(step.get(), attempt);
            } catch (RuntimeException e) {
                if (attempt == 1 || attempt % LOG_EVERY == 0) {
                    Map<String, Object> logged = new HashMap<>(fields);
                    logged.put("attempt", attempt);
                    logged.put("error", JsonLog.describe(e));
                    log.warn(message, logged);
                }
                if (!hook.keepTrying(attempt, e) || attempt >= maxAttempts) {
                    return new Outcome.GaveUp<>(e, attempt);
                }
                Duration left = Duration.between(clock.instant(), deadline);
                if (left.isNegative() || left.isZero()) {
                    return new Outcome.GaveUp<>(e, attempt);
                }
                Duration pause = policy.delayBefore(attempt);
                if (pause.compareTo(minPause) < 0) {
                    pause = minPause;
                }
                sleeper.sleep(pause.compareTo(left) < 0 ? pause : left);
            }
        }
    }
}
