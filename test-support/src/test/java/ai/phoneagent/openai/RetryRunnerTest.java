package ai.phoneagent.openai;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.testing.LogCapture;
import ai.phoneagent.testing.MutableClock;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one store-write retry loop, run with a test clock whose sleeper only advances it: nothing really sleeps. */
class RetryRunnerTest {
    private static final JsonLog LOG = JsonLog.forComponent("test");
    private static final Instant T0 = Instant.parse("2026-12-02T01:00:00Z");
    /** Full jitter with a random that always draws the top: the delays are exactly base * 2^(attempt-1), capped. */
    private static final RandomGenerator TOP = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    private final MutableClock clock = new MutableClock(T0);
    private final List<Duration> pauses = new ArrayList<>();
    private final RetryRunner.Sleeper sleeper = pause -> {
        pauses.add(pause);
        clock.advance(pause);
    };
    private LogCapture log;

    @BeforeEach
    void capture() {
        log = LogCapture.quiet();
    }

    @AfterEach
    void restore() {
        log.close();
    }

    private List<JsonNode> logged() {
        return log.text().lines().map(line -> {
            try {
                return Json.parse(line);
            } catch (IOException e) {
                throw new AssertionError(line, e);
            }
        }).toList();
    }

    private RetryRunner runner(Duration deadline, int maxAttempts, Duration minPause) {
        return new RetryRunner(new RetryPolicy(deadline, Duration.ofMillis(100), Duration.ofSeconds(1), TOP),
                maxAttempts, minPause, clock, sleeper);
    }

    /** A step failing its first {@code failures} calls. */
    private static java.util.function.Supplier<String> failing(int failures, int[] calls) {
        return () -> {
            calls[0]++;
            if (calls[0] <= failures) {
                throw new IllegalStateException("store unavailable (call " + calls[0] + ")");
            }
            return "stored";
        };
    }

    @Test
    void succeedsOnTheFirstAttemptWithoutPausingOrLogging() {
        var outcome = runner(Duration.ofMinutes(1), 5, Duration.ZERO).run(() -> "stored", LOG, "write failed", Map.of());
        assertThat(outcome).isEqualTo(new RetryRunner.Outcome.Done<>("stored", 1));
        assertThat(pauses).isEmpty();
        assertThat(logged()).isEmpty();
    }

    @Test
    void retriesWithThePolicysBackoffUntilTheStepSucceeds() {
        int[] calls = {0};
        var outcome = runner(Duration.ofMinutes(1), 10, Duration.ZERO).run(failing(3, calls), LOG, "write failed",
                Map.of("call_id", "rtc_1"));
        assertThat(outcome).isEqualTo(new RetryRunner.Outcome.Done<>("stored", 4));
        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void givesUpAfterMaxAttemptsWithoutPausingAfterTheLast() {
        int[] calls = {0};
        var outcome = runner(Duration.ofMinutes(1), 4, Duration.ZERO).run(failing(100, calls), LOG, "write failed", Map.of());
        assertThat(outcome).isInstanceOf(RetryRunner.Outcome.GaveUp.class);
        assertThat(outcome.attempts()).isEqualTo(4);
        assertThat(((RetryRunner.Outcome.GaveUp<String>) outcome).last()).hasMessageContaining("call 4");
        assertThat(calls[0]).isEqualTo(4);
        assertThat(pauses).hasSize(3);
    }

    @Test
    void givesUpAtTheDeadlineAndNeverPausesPastIt() {
        int[] calls = {0};
        // 100 + 200 + 400 + 800 ms = 1.5 s, then the next 1 s pause is cut to the 0.5 s left, one last attempt
        var outcome = runner(Duration.ofSeconds(2), Integer.MAX_VALUE, Duration.ZERO)
                .run(failing(100, calls), LOG, "write failed", Map.of());
        assertThat(outcome).isInstanceOf(RetryRunner.Outcome.GaveUp.class);
        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(800), Duration.ofMillis(500));
        assertThat(calls[0]).isEqualTo(6);
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void pausesAtLeastTheMinimum() {
        int[] calls = {0};
        runner(Duration.ofMinutes(1), 3, Duration.ofMillis(150)).run(failing(2, calls), LOG, "write failed", Map.of());
        assertThat(pauses).containsExactly(Duration.ofMillis(150), Duration.ofMillis(200));
    }

    @Test
    void logsTheFirstFailureAndEveryTenthWithTheErrorAndTheCallersFields() {
        int[] calls = {0};
        runner(Duration.ofHours(1), Integer.MAX_VALUE, Duration.ZERO).run(failing(25, calls), LOG, "write failed",
                Map.of("call_id", "rtc_1"));
        List<JsonNode> lines = logged();
        assertThat(lines).extracting(l -> l.path("attempt").asInt()).containsExactly(1, 10, 20);
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.path("msg").asText()).isEqualTo("write failed");
            assertThat(l.path("level").asText()).isEqualTo("WARN");
            assertThat(l.path("call_id").asText()).isEqualTo("rtc_1");
            assertThat(l.path("error").asText()).contains("store unavailable");
        });
    }

    @Test
    void aFailureHookThatSaysStopEndsTheRunAtOnce() {
        int[] calls = {0};
        List<Integer> told = new ArrayList<>();
        var outcome = runner(Duration.ofMinutes(1), 10, Duration.ZERO).run(failing(100, calls), LOG, "write failed",
                Map.of(), (attempt, error) -> {
                    told.add(attempt);
                    return attempt < 2;
                });
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(told).containsExactly(1, 2);
        assertThat(pauses).hasSize(1);
    }
}
