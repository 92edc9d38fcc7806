package ai.phoneagent.openai;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with full jitter, bounded by an overall deadline. */
public record RetryPolicy(Duration deadline, Duration baseDelay, Duration maxDelay, RandomGenerator random) {
    /** Suits a webhook that must answer within a few seconds. */
    public static RetryPolicy webhookDefault() {
        return new RetryPolicy(Duration.ofMillis(4_000), Duration.ofMillis(150), Duration.ofMillis(1_000), RandomGenerator.getDefault());
    }

    /** The pause before retry number {@code attempt} (1-based): uniform in [0, min(max, base * 2^(attempt-1))]. */
    public Duration delayBefore(int attempt) {
        long cap = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(cap <= 0 ? 0 : random.nextLong(cap + 1));
    }
}
