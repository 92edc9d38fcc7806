package ai.phoneagent.worker.call;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.worker.call.CallMachine.AttachFailure;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttachHealthTest {
    @Test
    void anUnauthorizedAttachMakesTheWorkerUnhealthyAtOnceAndOnlyOnce() {
        AttachHealth health = new AttachHealth(3);
        List<String> reasons = new ArrayList<>();
        health.onUnhealthy(reasons::add);
        health.failed("rtc_1", AttachFailure.UNAUTHORIZED);
        health.failed("rtc_2", AttachFailure.UNAUTHORIZED);
        assertThat(health.reason()).isEqualTo("attach_unauthorized");
        assertThat(reasons).containsExactly("attach_unauthorized");
    }

    @Test
    void callsThatCannotBeHeldInARowMakeItUnhealthyButASuccessInBetweenResetsTheCount() {
        AttachHealth health = new AttachHealth(3);
        health.failed("rtc_1", AttachFailure.WINDOW_EXHAUSTED);
        health.failed("rtc_2", AttachFailure.WINDOW_EXHAUSTED);
        health.attached();
        health.failed("rtc_3", AttachFailure.WINDOW_EXHAUSTED);
        health.failed("rtc_4", AttachFailure.WINDOW_EXHAUSTED);
        assertThat(health.reason()).isNull();
        health.failed("rtc_5", AttachFailure.WINDOW_EXHAUSTED);
        assertThat(health.reason()).isEqualTo("attach_failures");
    }

    @Test
    void oneCallFailingAgainAndAgainIsOneCallNotAPattern() {
        AttachHealth health = new AttachHealth(3);
        for (int round = 0; round < 5; round++) {
            health.failed("rtc_1", AttachFailure.WINDOW_EXHAUSTED); // released, taken back, failed again
        }
        assertThat(health.reason()).isNull();
        health.failed("rtc_2", AttachFailure.WINDOW_EXHAUSTED);
        health.failed("rtc_3", AttachFailure.WINDOW_EXHAUSTED);
        assertThat(health.reason()).isEqualTo("attach_failures");
    }
}
