package ai.phoneagent.worker.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The one scheduler that pings idle call sockets and drops the ones that stopped answering; a manual clock. */
class SilenceWatchTest {
    private static final Duration IDLE = Duration.ofSeconds(5);
    private static final Duration PONG = Duration.ofMillis(2500);
    private final AtomicLong now = new AtomicLong();
    private final SilenceWatch watch = SilenceWatch.manual(IDLE, PONG, now::get);

    /** A peer that answers each ping with a pong while {@code answering}. */
    private static final class Peer implements SilenceWatch.Pingable {
        final AtomicInteger pings = new AtomicInteger();
        final AtomicInteger pongs = new AtomicInteger();
        volatile boolean answering = true;

        @Override
        public void ping() {
            pings.incrementAndGet();
            if (answering) {
                pongs.incrementAndGet();
            }
        }

        @Override
        public int pongs() {
            return pongs.get();
        }
    }

    private void at(Duration t) {
        now.set(t.toNanos());
        watch.tick();
    }

    @Test
    void anIdleSocketIsPingedOnlyOnceItHasHeardNothingForTheIdleTime() {
        Peer peer = new Peer();
        watch.watch(peer, () -> { });
        at(IDLE.minusMillis(1));
        assertThat(peer.pings).hasValue(0);
        at(IDLE);
        assertThat(peer.pings).hasValue(1);
    }

    @Test
    void aSocketThatHearsEventsIsNeverPinged() {
        Peer peer = new Peer();
        SilenceWatch.Watched watched = watch.watch(peer, () -> { });
        for (int s = 1; s <= 60; s++) {
            now.set(Duration.ofSeconds(s).toNanos());
            watched.heard();
            watch.tick();
        }
        assertThat(peer.pings).hasValue(0);
    }

    @Test
    void anAnsweredPingKeepsTheSocketAndTheNextPingComesAfterAnotherIdleTime() {
        Peer peer = new Peer();
        AtomicInteger silent = new AtomicInteger();
        watch.watch(peer, silent::incrementAndGet);
        at(IDLE);
        Duration pongSeen = IDLE.plus(PONG).plusSeconds(1);
        at(pongSeen);
        assertThat(silent).hasValue(0);
        assertThat(peer.pings).hasValue(1);
        at(pongSeen.plus(IDLE).minusMillis(1));
        assertThat(peer.pings).hasValue(1);
        at(pongSeen.plus(IDLE));
        assertThat(peer.pings).hasValue(2);
        assertThat(watch.size()).isEqualTo(1);
    }

    @Test
    void anUnansweredPingReportsTheSocketSilentOnceAfterThePongTimeout() {
        Peer peer = new Peer();
        peer.answering = false;
        AtomicInteger silent = new AtomicInteger();
        watch.watch(peer, silent::incrementAndGet);
        at(IDLE);
        at(IDLE.plus(PONG).minusMillis(1));
        assertThat(silent).hasValue(0);
        at(IDLE.plus(PONG));
        assertThat(silent).hasValue(1);
        at(IDLE.plus(PONG).plusSeconds(30));
        assertThat(silent).as("reported once, then no longer watched").hasValue(1);
        assertThat(watch.size()).isZero();
    }

    @Test
    void anEventArrivingWhileAPingIsUnansweredCountsAsAnAnswer() {
        Peer peer = new Peer();
        peer.answering = false;
        AtomicInteger silent = new AtomicInteger();
        SilenceWatch.Watched watched = watch.watch(peer, silent::incrementAndGet);
        at(IDLE);
        now.set(IDLE.plusSeconds(1).toNanos());
        watched.heard();
        at(IDLE.plus(PONG).plusSeconds(1));
        assertThat(silent).hasValue(0);
    }

    @Test
    void aSocketThatGoesSilentAtAnyMomentIsReportedWithinTheWorstCaseAndItIsUnderTenSeconds() {
        Duration bound = watch.worstCaseDetection();
        assertThat(bound).isLessThanOrEqualTo(Duration.ofSeconds(10));
        long tick = TimeUnit.MILLISECONDS.toNanos(500);
        // silence starting at every offset of a ping cycle, on the watch's own tick grid
        for (long silenceAt = Duration.ofSeconds(20).toNanos(); silenceAt < Duration.ofSeconds(30).toNanos();
             silenceAt += TimeUnit.MILLISECONDS.toNanos(130)) {
            SilenceWatch w = SilenceWatch.manual(IDLE, PONG, now::get);
            Peer peer = new Peer();
            AtomicLong reportedAt = new AtomicLong(-1);
            now.set(0);
            w.watch(peer, () -> reportedAt.set(now.get()));
            for (long t = 0; reportedAt.get() < 0 && t < silenceAt + Duration.ofSeconds(60).toNanos(); t += tick) {
                now.set(t);
                peer.answering = t < silenceAt;
                w.tick();
            }
            assertThat(reportedAt.get()).isPositive();
            assertThat(Duration.ofNanos(reportedAt.get() - silenceAt)).as("silent from %d ns", silenceAt)
                    .isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void oneFailingSocketDoesNotStopTheWatchOfTheOthers() {
        SilenceWatch.Pingable broken = new SilenceWatch.Pingable() {
            @Override
            public void ping() {
                throw new IllegalStateException("torn down");
            }

            @Override
            public int pongs() {
                return 0;
            }
        };
        Peer healthy = new Peer();
        watch.watch(broken, () -> { });
        watch.watch(healthy, () -> { });
        at(IDLE);
        assertThat(healthy.pings).hasValue(1);
        assertThat(watch.size()).isEqualTo(1);
    }
}
