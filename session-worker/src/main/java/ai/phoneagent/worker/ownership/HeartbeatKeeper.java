package ai.phoneagent.worker.ownership;

import ai.phoneagent.call.WorkerHeartbeats;
import ai.phoneagent.logging.JsonLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The worker's liveness: one heartbeat write every {@code interval} for all its calls (instead of a lease per call),
 * and, every {@code scanEvery} (shorter, so a death is noticed within about a second of going stale), a look at every
 * other worker's heartbeat. A worker silent for longer than {@code staleAfter} is taken over by exactly one live
 * worker ({@link WorkerHeartbeats#claimTakeover}), which takes its calls over directly ({@link Takeover}). If this
 * worker's own beat is refused, it was taken over while paused: its calls are no longer its own, so
 * {@code onTakenOver} stops them without writing, and the worker registers afresh.
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
    private final Duration scanEvery;
    private final Duration staleAfter;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final Executor io;
    private final Runnable onTakenOver;
    private final AtomicBoolean beating = new AtomicBoolean();
    private final AtomicBoolean scanning = new AtomicBoolean();
    private final AtomicReference<Instant> failingSince = new AtomicReference<>();
    private final Set<String> takingOver = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private final List<ScheduledFuture<?>> tasks = new CopyOnWriteArrayList<>();

    public HeartbeatKeeper(WorkerHeartbeats beats, Takeover takeover, String self, Duration interval, Duration scanEvery,
                           Duration staleAfter, Clock clock, ScheduledExecutorService timers, Executor io,
                           Runnable onTakenOver) {
        this.beats = beats;
        this.takeover = takeover;
        this.self = self;
        this.interval = interval;
        this.scanEvery = scanEvery;
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
            beats.register(self, clock.instant(), interval);
            takeover.ownBeatLanded(clock.instant(), staleAfter);
        } catch (RuntimeException e) {
            LOG.error("heartbeat not registered; retrying on the next tick", Map.of("error", JsonLog.describe(e)));
            failingSince.compareAndSet(null, clock.instant());
        }
        // at a fixed rate: a slow write must not push the beats apart, others judge this worker by their spacing
        schedule(beating, this::beat, interval);
        schedule(scanning, this::scan, scanEvery);
        return this;
    }

    private void schedule(AtomicBoolean running, Runnable step, Duration every) {
        tasks.add(timers.scheduleAtFixedRate(() -> {
            // the store may hang: never on the shared timer thread, and never two of a kind at once
            if (!stopped && running.compareAndSet(false, true)) {
                io.execute(() -> {
                    try {
                        step.run();
                    } finally {
                        running.set(false);
                    }
                });
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Since when this worker's heartbeat writes have been failing; null while they succeed. */
    public Instant failingSince() {
        return failingSince.get();
    }

    /** One beat and one look at the others (tests call it instead of waiting for the timers). */
    public void tick() {
        if (beat()) {
            scan();
        }
    }

    /** Writes this worker's beat; false when it failed (the store is out). */
    private boolean beat() {
        if (stopped) {
            return false;
        }
        Instant now = clock.instant();
        try {
            if (beats.beat(self, now)) {
                recovered(now);
            } else if (beats.get(self).isEmpty()) {
                beats.register(self, now, interval); // the record expired or was deleted; nobody took this worker over
                recovered(now);
            } else {
                LOG.error("this worker was taken over while silent; dropping its calls without writes",
                        Map.of("worker_id", self));
                onTakenOver.run();
                beats.register(self, clock.instant(), interval);
                recovered(now);
            }
            return true;
        } catch (RuntimeException e) {
            if (failingSince.compareAndSet(null, now)) {
                LOG.error("heartbeat write failed; keeping calls while the store is out", Map.of("error", JsonLog.describe(e)));
            }
            return false;
        }
    }

    /**
     * Looks at every other worker's beat and takes over each one silent past the stale limit. Only by a read in which
     * this worker itself looks alive (its own beat landed within half the stale limit, and nobody took it over):
     * after a store outage every worker's beat is old, and this way the first one whose beat lands again takes the
     * others over, never two workers each other (their reads are consistent, so each would have to read before the
     * other's beat and after its own).
     */
    private void scan() {
        if (stopped || failingSince.get() != null) {
            return;
        }
        if (!takeover.mayJudgeOwners(clock.instant())) {
            return; // this worker's own beat was out until recently: the others' may have been out for the same reason
        }
        try {
            List<WorkerHeartbeats.Heartbeat> all = beats.all();
            Instant now = clock.instant();
            boolean selfAlive = all.stream().anyMatch(b -> b.workerId().equals(self)
                    && b.alive(now, staleAfter.dividedBy(2)));
            if (!selfAlive) {
                return; // this worker's own beat has not landed yet (or it was taken over): judge nobody
            }
            for (WorkerHeartbeats.Heartbeat other : all) {
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
        tasks.forEach(task -> task.cancel(false));
    }
}
