package ai.phoneagent.control;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.aws.AwsRequestCounter;
import ai.phoneagent.testing.LogCapture;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SnapStart priming of the real request path: the configured AWS endpoints are a closed port, so any I/O would fail. */
class OfflinePrimingTest {
    @Test
    void primingRunsAuthenticatedRequestsThroughTheStoreWithoutNetworkOrLogLines() {
        // the longest bound a request may take, so a cold first request on a loaded machine is not cut off
        ControlConfig config = TestConfigs.config(Map.of("CONTROL_ACK_TIMEOUT_MS", "6000"));
        Map<String, Long> before = AwsRequestCounter.GLOBAL.snapshot();
        try (var logs = LogCapture.quiet()) {
            // 6 requests a round, each answered by the offline store (nothing found), none with a 5xx
            assertThat(OfflinePriming.prime(config, Clock.systemUTC(), 2)).isEqualTo(12);
            assertThat(logs.text()).as("priming writes no log lines").isEmpty();
        }
        Map<String, Long> after = AwsRequestCounter.GLOBAL.snapshot();
        assertThat(after.getOrDefault("DynamoDb.Query", 0L) - before.getOrDefault("DynamoDb.Query", 0L))
                .as("the list route really queried the (offline) table").isGreaterThanOrEqualTo(2);
        assertThat(after.getOrDefault("DynamoDb.GetItem", 0L) - before.getOrDefault("DynamoDb.GetItem", 0L))
                .as("the detail and hang-up routes really read the (offline) call").isGreaterThanOrEqualTo(2);
    }
}
