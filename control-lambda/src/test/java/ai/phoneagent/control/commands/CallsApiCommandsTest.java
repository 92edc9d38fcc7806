package ai.phoneagent.control.commands;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.WorkerHeartbeats.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the control side counts a call's owner as gone and carries a hang-up or cold transfer out itself. */
class CallsApiCommandsTest {
    static final Instant NOW = Instant.parse("2026-12-01T18:00:00Z");

    private static Optional<Heartbeat> beat(Duration ago, Duration every, String takenOverBy) {
        return Optional.of(new Heartbeat("w1", NOW.minus(ago), takenOverBy, takenOverBy == null ? null : NOW, every));
    }

    @Test
    void anOwnerWithNoHeartbeatRecordIsGone() {
        assertThat(CallsApiCommands.gone(Optional.empty(), NOW)).isTrue();
    }

    @Test
    void anOwnerTakenOverIsGoneHoweverFreshItsLastBeat() {
        assertThat(CallsApiCommands.gone(beat(Duration.ZERO, Duration.ofSeconds(2), "w2"), NOW)).isTrue();
    }

    @Test
    void anOwnerBeatingOnTimeIsLeftTheCommand() {
        assertThat(CallsApiCommands.gone(beat(Duration.ofMillis(3_900), Duration.ofSeconds(2), null), NOW)).isFalse();
    }

    @Test
    void anOwnerThatMissedTwoOfItsBeatsIsGoneLongBeforeItsTakeOver() {
        assertThat(CallsApiCommands.gone(beat(Duration.ofMillis(4_100), Duration.ofSeconds(2), null), NOW)).isTrue();
    }

    @Test
    void aRecordWithoutItsBeatIntervalIsJudgedByTheDefaultInterval() {
        assertThat(CallsApiCommands.gone(beat(Duration.ofMillis(3_900), null, null), NOW)).isFalse();
        assertThat(CallsApiCommands.gone(beat(Duration.ofMillis(4_100), null, null), NOW)).isTrue();
    }

    @Test
    void aFastBeatingOwnerIsNeverJudgedGoneWithinTwoSeconds() {
        assertThat(CallsApiCommands.gone(beat(Duration.ofMillis(1_900), Duration.ofMillis(300), null), NOW)).isFalse();
    }
}
