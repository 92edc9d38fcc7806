package ai.phoneagent.control.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AckWaitTest {
    private final AtomicLong now = new AtomicLong();
    private final List<Duration> pauses = new ArrayList<>();
    private final AckWait wait = new AckWait(now::get, d -> {
        pauses.add(d);
        now.addAndGet(d.toNanos());
    });

    @Test
    void stopsAsSoonAsTheConditionHolds() {
        AtomicInteger polls = new AtomicInteger();
        assertThat(wait.until(Duration.ofSeconds(5), () -> polls.incrementAndGet() == 3)).isTrue();
        assertThat(polls).hasValue(3);
    }

    @Test
    void givesUpAtTheDeadlineWithoutOverrunningIt() {
        assertThat(wait.until(Duration.ofMillis(5000), () -> false)).isFalse();
        assertThat(now.get()).isEqualTo(Duration.ofMillis(5000).toNanos());
    }

    @Test
    void pausesGrowFromShortToAtMostAQuarterSecond() {
        wait.until(Duration.ofSeconds(5), () -> false);
        assertThat(pauses.getFirst()).isEqualTo(Duration.ofMillis(20));
        assertThat(pauses).allSatisfy(p ->
                assertThat(p).isLessThanOrEqualTo(Duration.ofMillis(250)));
        assertThat(pauses.get(1)).isGreaterThan(pauses.get(0));
        assertThat(pauses.size()).isBetween(20, 40);
    }

    @Test
    void aZeroTimeoutDoesNotPoll() {
        assertThat(wait.until(Duration.ZERO, () -> true)).isFalse();
        assertThat(pauses).isEmpty();
    }
}
