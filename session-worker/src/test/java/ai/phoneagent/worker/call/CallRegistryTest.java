package ai.phoneagent.worker.call;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Capacity slots: what the calls-queue poller reserves, and what a take-over may reserve without waiting. */
class CallRegistryTest {
    @Test
    void aTakeOverBorrowsASlotAnIdleLongPollHoldsAndTheNextReleasePaysItBack() throws InterruptedException {
        CallRegistry registry = new CallRegistry(2);
        assertThat(registry.reserve(10, 0)).as("the poller holds both slots during its long poll").isEqualTo(2);

        assertThat(registry.reserveNow("rtc_a")).isTrue();
        assertThat(registry.reserveNow("rtc_b")).isTrue();
        assertThat(registry.reserveNow("rtc_c")).as("as many calls as the capacity, no more").isFalse();
        assertThat(registry.active()).isEqualTo(2);

        registry.release(2); // the long poll came back empty
        assertThat(registry.reserve(10, 0)).as("the borrowed slots are still taken").isZero();
        registry.abandon("rtc_a");
        assertThat(registry.reserve(10, 0)).isEqualTo(1);
    }

    @Test
    void aCallAlreadyHereIsNotReservedTwice() {
        CallRegistry registry = new CallRegistry(5);
        assertThat(registry.begin("rtc_a")).isTrue();

        assertThat(registry.reserveNow("rtc_a")).isFalse();
        assertThat(registry.has("rtc_a")).isTrue();
        assertThat(registry.active()).isEqualTo(1);
    }
}
