package ai.phoneagent.aws;

import ai.phoneagent.config.Env;
import java.time.Duration;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;

/**
 * Every AWS call's bounds, in one place: the TCP connect timeout, the timeout of one HTTP attempt, and the timeout
 * of the whole call including the SDK's retries. SQS long polls are the one exception: they get
 * {@link #longPoll(int)}, their wait plus a margin. Set with {@code AWS_CONNECT_TIMEOUT_MS},
 * {@code AWS_ATTEMPT_TIMEOUT_MS} and {@code AWS_CALL_TIMEOUT_MS}.
 */
public record AwsTimeouts(Duration connect, Duration attempt, Duration call) {
    /** In AWS: an in-region DynamoDB or SQS call answers in milliseconds, so 2 s is a hang, 5 s allows two retries. */
    public static final AwsTimeouts DEFAULTS = new AwsTimeouts(Duration.ofMillis(1_000), Duration.ofMillis(2_000),
            Duration.ofMillis(5_000));
    /**
     * Against local engines (endpoint overrides: embedded ElasticMQ and DynamoDB Local, LocalStack), which share a
     * small machine's CPU with everything else and can take seconds for a cold first request.
     */
    public static final AwsTimeouts LOCAL = new AwsTimeouts(Duration.ofMillis(2_000), Duration.ofMillis(15_000),
            Duration.ofMillis(30_000));
    /** What a long poll may take beyond its wait before it counts as hung. */
    static final Duration LONG_POLL_MARGIN = Duration.ofSeconds(5);

    public AwsTimeouts {
        if (attempt.compareTo(call) > 0) {
            throw new IllegalArgumentException("an attempt may not outlast the whole call");
        }
    }

    /** From the environment; unset values come from {@code defaults} ({@link #DEFAULTS} or {@link #LOCAL}). */
    public static AwsTimeouts fromEnv(Env env, AwsTimeouts defaults) {
        Duration connect = env.millis("AWS_CONNECT_TIMEOUT_MS", defaults.connect(), Duration.ofMillis(50), Duration.ofSeconds(30));
        Duration attempt = env.millis("AWS_ATTEMPT_TIMEOUT_MS", defaults.attempt(), Duration.ofMillis(50), Duration.ofSeconds(60));
        Duration call = env.millis("AWS_CALL_TIMEOUT_MS", defaults.call(), Duration.ofMillis(50), Duration.ofSeconds(120));
        if (attempt.compareTo(call) > 0) {
            throw new ai.phoneagent.config.ConfigException("AWS_ATTEMPT_TIMEOUT_MS", "must not exceed AWS_CALL_TIMEOUT_MS");
        }
        return new AwsTimeouts(connect, attempt, call);
    }

    /** The bounds of an SQS receive that waits up to {@code waitSeconds}: the wait plus a margin, per attempt and in all. */
    public static AwsRequestOverrideConfiguration longPoll(int waitSeconds) {
        Duration bound = Duration.ofSeconds(Math.max(0, waitSeconds)).plus(LONG_POLL_MARGIN);
        return AwsRequestOverrideConfiguration.builder().apiCallAttemptTimeout(bound).apiCallTimeout(bound).build();
    }
}
