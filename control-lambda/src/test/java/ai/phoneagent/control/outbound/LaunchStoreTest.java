package ai.phoneagent.control.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.outbound.Launch;
import ai.phoneagent.outbound.LaunchKeys;
import ai.phoneagent.outbound.LaunchStatus;
import ai.phoneagent.outbound.LaunchStore;
import ai.phoneagent.testing.AwsFixture;
import ai.phoneagent.testing.EmbeddedAws;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launch store's conditional writes against DynamoDB Local. */
class LaunchStoreTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final AwsFixture aws = AwsFixture.on(EmbeddedAws.shared());
    private final LaunchStore store = new LaunchStore(aws.dynamo(), aws.tableName());

    private Launch launch(String id, String key) {
        return new Launch(id, LaunchStatus.REQUESTED, "+15550100001", "+15550100000", null, null, null, "Be brief.",
                "Hi!", null, null, null, null, null, null, LaunchKeys.hash(key), T0.plus(Duration.ofMinutes(5)), T0, T0,
                null, null, null, List.of());
    }

    @Test
    void aLaunchIdIsCreatedOnce() {
        String id = LaunchKeys.newLaunchId();
        assertThat(store.create(launch(id, "k"))).isTrue();
        assertThat(store.create(launch(id, "other"))).isFalse();
        assertThat(store.get(id).orElseThrow().sipKeyHash()).isEqualTo(LaunchKeys.hash("k"));
    }

    @Test
    void aLaunchBindsToOneCallOnlyWithItsKeyBeforeItExpires() {
        String id = LaunchKeys.newLaunchId();
        store.create(launch(id, "key-1"));
        Instant before = T0.plus(Duration.ofMinutes(1));

        assertThat(store.bindCall(id, LaunchKeys.hash("guess"), "rtc_a", before)).as("wrong key").isEmpty();
        assertThat(store.bindCall(id, LaunchKeys.hash("key-1"), "rtc_a", T0.plus(Duration.ofMinutes(6))))
                .as("expired").isEmpty();
        assertThat(store.bindCall(id, LaunchKeys.hash("key-1"), "rtc_a", before)).isPresent();
        assertThat(store.bindCall(id, LaunchKeys.hash("key-1"), "rtc_b", before)).as("used by another call").isEmpty();
        assertThat(store.bindCall(id, LaunchKeys.hash("key-1"), "rtc_a", T0.plus(Duration.ofHours(1))))
                .as("a redelivery for the same call, even later").isPresent();
        assertThat(store.bindCall("ol_unknown", LaunchKeys.hash("key-1"), "rtc_c", before)).isEmpty();
    }

    @Test
    void theStatusOnlyMovesForwardAndTheTimelineKeepsTwiliosCodes() {
        String id = LaunchKeys.newLaunchId();
        store.create(launch(id, "k"));

        assertThat(store.dialled(id, "CA1", T0)).get().extracting(Launch::twilioCallSid).isEqualTo("CA1");
        assertThat(store.advance(id, LaunchStatus.RINGING, null, "ringing", T0)).isPresent();
        assertThat(store.advance(id, LaunchStatus.BUSY, "486", "busy", T0)).isPresent();
        assertThat(store.advance(id, LaunchStatus.ANSWERED, null, null, T0)).as("after an end").isEmpty();
        assertThat(store.advance(id, LaunchStatus.COMPLETED, null, null, T0)).as("one end only").isEmpty();
        Launch busy = store.get(id).orElseThrow();
        assertThat(busy.status()).isEqualTo(LaunchStatus.BUSY);
        assertThat(busy.errorCode()).isEqualTo("486");
        assertThat(busy.timeline()).extracting(Launch.Transition::status).containsExactly(LaunchStatus.REQUESTED,
                LaunchStatus.QUEUED, LaunchStatus.RINGING, LaunchStatus.BUSY);
        assertThat(busy.timeline().getLast().code()).isEqualTo("486");
    }

    @Test
    void guardsHaveOneHolderUntilTheyLapseOrAreReleased() {
        String number = "+1555" + (System.nanoTime() % 10_000_000);
        assertThat(store.takeDestination(number, "ol_a", T0.plusSeconds(60), T0)).isTrue();
        assertThat(store.takeDestination(number, "ol_a", T0.plusSeconds(60), T0)).as("the same launch again").isTrue();
        assertThat(store.takeDestination(number, "ol_b", T0.plusSeconds(120), T0.plusSeconds(30))).isFalse();
        assertThat(store.takeDestination(number, "ol_b", T0.plusSeconds(120), T0.plusSeconds(61))).as("lapsed").isTrue();
        store.releaseDestination(number, "ol_a"); // not the holder any more: leaves it
        assertThat(store.takeDestination(number, "ol_c", T0.plusSeconds(180), T0.plusSeconds(62))).isFalse();
    }
}
