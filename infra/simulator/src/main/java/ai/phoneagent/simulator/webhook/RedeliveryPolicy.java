package ai.phoneagent.simulator.webhook;

import java.time.Duration;
import java.util.Objects;

/**
 * How the sender re-delivers after a non-2xx answer or a timeout: at most {@code maxAttempts} attempts, waiting
 * {@code initialBackoff × multiplier^(n-1)} (capped at {@code maxBackoff}) between them; each attempt may take
 * {@code attemptTimeout}.
 */
public record RedeliveryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff,
                               Duration attemptTimeout) {
    public RedeliveryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be at least 1");
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    }

    /** For tests: 5 attempts, 20 ms doubling to 200 ms, 2 s per attempt. */
    public static RedeliveryPolicy fast() {
        return new RedeliveryPolicy(5, Duration.ofMillis(20), 2.0, Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    /** Like OpenAI, compressed into minutes: 8 attempts, 1 s doubling to 60 s, 5 s per attempt. */
    public static RedeliveryPolicy openAiLike() {
        return new RedeliveryPolicy(8, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(60), Duration.ofSeconds(5));
    }

    /** One attempt, no redelivery. */
    public static RedeliveryPolicy once() {
        return new RedeliveryPolicy(1, Duration.ZERO, 1.0, Duration.ZERO, Duration.ofSeconds(5));
    }

    /** The wait before attempt {@code attempt} (2, 3, …). */
    public Duration backoffBefore(int attempt) {
        if (attempt <= 1) {
            return Duration.ZERO;
        }
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, attempt - 2);
        return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }
}
