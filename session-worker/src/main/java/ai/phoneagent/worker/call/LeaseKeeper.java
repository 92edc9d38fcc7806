package ai.phoneagent.worker.call;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.logging.JsonLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Renews the lease of every hosted call on a timer. A renewal refused by the store means another worker owns
 * the call now, so the session stops handling it. A renewal that fails for another reason (store unreachable)
 * is retried next tick, unless the lease would lapse before then: the session stops, as if it had lost the lease.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("lease");

    private final CallRegistry registry;
    private final CallStore store;
    private final String owner;
    private final Duration leaseDuration;
    private final Duration interval;
    private final Clock clock;
    private volatile boolean stopped;
    private Thread thread;

    public LeaseKeeper(CallRegistry registry, CallStore store, String owner, Duration leaseDuration, Duration interval,
                       Clock clock) {
        this.registry = registry;
        this.store = store;
        this.owner = owner;
        this.leaseDuration = leaseDuration;
        this.interval = interval;
        this.clock = clock;
    }

    public LeaseKeeper start() {
        thread = Thread.ofVirtual().name("lease-keeper").start(this::run);
        return this;
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            renewAll();
        }
    }

    /** Renews every hosted call's lease once, in parallel; returns when all renewals have answered. */
    public void renewAll() {
        List<Thread> renewals = new ArrayList<>();
        for (CallSession session : registry.sessions()) {
            if (session.state().isFinal()) {
                continue;
            }
            renewals.add(Thread.ofVirtual().name("lease-" + session.callId()).start(() -> renew(session)));
        }
        for (Thread t : renewals) {
            try {
                t.join(interval.toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void renew(CallSession session) {
        Instant until = clock.instant().plus(leaseDuration);
        try {
            if (store.renewLease(session.callId(), owner, until)) {
                session.leaseRenewed(until);
            } else {
                session.leaseLost();
            }
        } catch (RuntimeException e) {
            LOG.warn("lease renewal failed", Map.of("call_id", session.callId(), "error", JsonLog.describe(e)));
            if (!clock.instant().plus(interval).isBefore(session.leaseUntil())) {
                // the lease runs out before the next renewal: from then on another worker may claim the call, and
                // two workers must never both run its tools
                LOG.warn("lease about to lapse unrenewed", Map.of("call_id", session.callId()));
                session.leaseLost();
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
