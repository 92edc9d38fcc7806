package ai.phoneagent.worker.ownership;

import ai.phoneagent.call.WorkerHeartbeats;
import ai.phoneagent.logging.JsonLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The worker's liveness: one heartbeat write every {@code interval} for all its calls (instead of a lease per call),
 * and, on the same tick, a look at every other worker's heartbeat. A worker silent for longer than
 * {@code staleAfter} is taken over by exactly one live worker ({@link WorkerHeartbeats#claimTakeover}), which frees its
 * calls ({@link Takeover}). If this worker's own beat is refused, it was taken over while paused: its calls are no
 * longer its own, so {@code onTakenOver} stops them without writing, and the worker registers afresh.
 *
 * <p>While the store cannot be reached the worker keeps its calls (nobody else can take them over either) and says so
 * in {@link #failingSince()}.
 */
public final class HeartbeatKeeper implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("heartbeat");

    private final WorkerHeartbeats beats;
    private final Takeover takeover;
    private final String self;
    private final Duration interval;
    private final Duration staleAfter;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final Executor io;
    private final Runnable onTakenOver;
    private final AtomicBoolean ticking = new AtomicBoolean();
    private final AtomicReference<Instant> failingSince = new AtomicReference<>();
    private final Set<String> takingOver = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private ScheduledFuture<?> task;

    public HeartbeatKeeper(WorkerHeartbeats beats, Takeover takeover, String self, Duration interval, Duration staleAfter,
                           Clock clock, ScheduledExecutorService timers, Executor io, Runnable onTakenOver) {
        this.beats = beats;
        this.takeover = takeover;
        this.self = self;
        this.interval = interval;
        this.staleAfter = staleAfter;
        this.clock = clock;
        this.timers = timers;
        this.io = io;
        this.onTakenOver = onTakenOver;
    }

    /**
     * Registers this worker (a fresh record, so a restart under the same id beats again) and starts beating. Calls
     * still pointing at this id from an earlier life are freed by the sweep, which knows what this worker hosts.
     */
    public HeartbeatKeeper start() {
        try {
            beats.register(self, clock.instant());
            takeover.ownBeatLanded(clock.instant(), staleAfter);
        } catch (RuntimeException e) {
            LOG.error("heartbeat not registered; retrying on the next tick", Map.of("error", JsonLog.describe(e)));
            failingSince.compareAndSet(null, clock.instant());
        }
        task = timers.scheduleWithFixedDelay(() -> {
            // the store may hang: never on the shared timer thread, and never two ticks at once
            if (!stopped && ticking.compareAndSet(false, true)) {
                io.execute(() -> {
                    try {
                        tick();
                    } finally {
                        ticking.set(false);
                    }
                });
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Since when this worker's heartbeat writes have been failing; null while they succeed. */
    public Instant failingSince() {
        return failingSince.get();
    }

    /** One beat and one look at the others (tests call it instead of waiting for the timer). */
    public void tick() {
        if (stopped) {
            return;
        }
        Instant now = clock.instant();
        try {
            if (beats.beat(self, now)) {
                recovered(now);
            } else if (beats.get(self).isEmpty()) {
                beats.register(self, now); // the record expired or was deleted; nobody took this worker over
                recovered(now);
            } else {
                LOG.error("this worker was taken over while silent; dropping its calls without writes",
                        Map.of("worker_id", self));
                onTakenOver.run();
                beats.register(self, clock.instant());
                recovered(now);
            }
        } catch (RuntimeException e) {
            if (failingSince.compareAndSet(null, now)) {
                LOG.error("heartbeat write failed; keeping calls while the store is out", Map.of("error", JsonLog.describe(e)));
            }
            return;
        }
        if (!takeover.mayJudgeOwners(clock.instant())) {
            return; // this worker's own beat was out until recently: the others' may have been out for the same reason
        }
        try {
            for (WorkerHeartbeats.Heartbeat other : beats.all()) {
                if (other.workerId().equals(self) || other.takenOverBy() != null || other.beatAt() == null
                        || other.alive(now, staleAfter) || stopped) {
                    continue;
                }
                if (beats.claimTakeover(other, self, now)) {
                    LOG.warn("worker silent; taking over its calls", Map.of("dead_worker", other.workerId(),
                            "silent_ms", Duration.between(other.beatAt(), now).toMillis()));
                    takeOver(other.workerId());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("heartbeat scan failed", Map.of("error", JsonLog.describe(e)));
        }
    }

    private void takeOver(String dead) {
        if (!takingOver.add(dead)) {
            return;
        }
        io.execute(() -> {
            try {
                int freed = takeover.freeCallsOf(dead, "owner_heartbeat_stale");
                LOG.info("took over a silent worker", Map.of("dead_worker", dead, "calls_freed", freed));
            } catch (RuntimeException e) {
                LOG.warn("take-over incomplete; the sweep frees the rest", Map.of("dead_worker", dead,
                        "error", JsonLog.describe(e)));
            } finally {
                takingOver.remove(dead);
            }
        });
    }

    private void recovered(Instant now) {
        takeover.ownBeatLanded(clock.instant(), staleAfter); // when it landed, not when it was sent
        Instant since = failingSince.getAndSet(null);
        if (since != null) {
            LOG.info("heartbeat writes recovered", Map.of("failing_ms", Duration.between(since, now).toMillis()));
        }
    }

    /** Stops beating (shutdown or crash drill); the record stays, so a crashed worker's beat goes stale. */
    @Override
    public void close() {
        stopped = true;
        if (task != null) {
            task.cancel(false);
        }
    }
}
