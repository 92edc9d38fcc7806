package ai.phoneagent.localstack.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a chaos scenario counts as failed, and what its table says. */
class OutcomeTest {
    @Test
    void passesOnlyWithNothingLostOrStuckAndRecoveryWithinItsTarget() {
        Duration target = Duration.ofSeconds(15);
        assertThat(new Outcome.Builder("s").calls(4).recovery(Optional.of(Duration.ofSeconds(15)), target).build().passed())
                .isTrue();
        assertThat(new Outcome.Builder("s").recovery(Optional.of(Duration.ofMillis(15_001)), target).build().passed())
                .isFalse();
        assertThat(new Outcome.Builder("s").recovery(Optional.empty(), target).build().passed()).as("never recovered")
                .isFalse();
        assertThat(new Outcome.Builder("s").lost("rtc_1 never greeted").build().passed()).isFalse();
        assertThat(new Outcome.Builder("s").stuck("rtc_1 still RECEIVED").build().passed()).isFalse();
        assertThat(new Outcome.Builder("s").transcriptLost(1, "rtc_1").build().passed()).isFalse();
        assertThat(new Outcome.Builder("s").transcriptLost(0, "rtc_1").build().passed()).isTrue();
        assertThat(Outcome.failed("s", "the cluster did not start").passed()).isFalse();
    }

    @Test
    void aFailedCheckOfTheScenarioFailsItAndIsNoted() {
        Outcome outcome = new Outcome.Builder("kill9").calls(4)
                .recovery(Optional.of(Duration.ofSeconds(7)), Duration.ofSeconds(15))
                .checkFailed("rtc_1: the API shows owner 'dead-worker'").build();

        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.notes()).containsExactly("check failed: rtc_1: the API shows owner 'dead-worker'");
    }

    @Test
    void theTableShowsEveryCountAndTheRecoveryAgainstItsTarget() {
        Outcome outcome = new Outcome.Builder("kill9").calls(4).transcriptLost(3, "rtc_1")
                .recovery(Optional.of(Duration.ofMillis(83_900)), Duration.ofSeconds(15)).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        outcome.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String table = bytes.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("scenario: kill9  ->  FAIL", "|     4 |    0 |     0 |                     3 |",
                "83.9 s (target 15 s)", "note: 3 transcript line(s) of rtc_1 not stored");
    }
}
