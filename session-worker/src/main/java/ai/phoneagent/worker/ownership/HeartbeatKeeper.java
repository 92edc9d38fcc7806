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
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The worker's liveness: one heartbeat write every {@code interval} for all its calls (instead of a lease per call),
 * and a look at every other worker's heartbeat whenever one could have gone stale. A worker silent for longer than
 * {@code staleAfter} is taken over by exactly one live worker ({@link WorkerHeartbeats#claimTakeover}), which takes its
 * calls over directly ({@link Takeover}). Whether this worker may judge another one gone at all is
 * {@link Takeover#judge}'s rule. If this worker's own beat is refused, it was taken over while paused: its calls are no
 * longer its own, so {@code onTakenOver} stops them without writing, and the worker registers afresh.
 *
 * <p>Looks are timed, not polled: each read tells when the first worker seen alive could go stale (its beat plus the
 * stale limit), and the next look is then, never sooner than {@code minScanGap} after the last. A death is thus seen
 * as soon as it can be, at about one read per stale limit less one beat interval instead of one a second.
 *
 * <p>While the store cannot be reached the worker keeps its calls (nobody else can take them over either) and says so
 * in {@link #failingSince()}.
 */
public final class HeartbeatKeeper implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("heartbeat");
    /** A look is timed this much after a beat could have gone stale, so that it finds it stale, not just about to be. */
    static final Duration LOOK_MARGIN = Duration.ofMillis(50);

    private final WorkerHeartbeats beats;
    private final Takeover takeover;
    private final String self;
    private final Duration interval;
    private final Duration minScanGap;
    private final Duration staleAfter;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final Executor io;
    private final Runnable onTakenOver;
    private final AtomicBoolean beating = new AtomicBoolean();
    private final AtomicReference<Instant> failingSince = new AtomicReference<>();
    private final Set<String> takingOver = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> beatTask;
    private volatile ScheduledFuture<?> nextLook;

    /**
     * @param interval   how often this worker beats ({@code LEASE_RENEW_MS})
     * @param minScanGap the shortest time between two looks at the others' beats ({@code HEARTBEAT_SCAN_MS})
     * @param staleAfter how long a silent worker counts as alive ({@code LEASE_DURATION_MS})
     */
    public HeartbeatKeeper(WorkerHeartbeats beats, Takeover takeover, String self, Duration interval,
                           Duration minScanGap, Duration staleAfter, Clock clock, ScheduledExecutorService timers,
                           Executor io, Runnable onTakenOver) {
        this.beats = beats;
        this.takeover = takeover;
        this.self = self;
        this.interval = interval;
        this.minScanGap = minScanGap;
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
            register();
        } catch (RuntimeException e) {
            LOG.error("heartbeat not registered; retrying on the next tick", Map.of("error", JsonLog.describe(e)));
            failingSince.compareAndSet(null, clock.instant());
        }
        // at a fixed rate: a slow write must not push the beats apart, others judge this worker by their spacing
        beatTask = timers.scheduleAtFixedRate(() -> {
            // the store may hang: never on the shared timer thread, and never two beats at once
            if (!stopped && beating.compareAndSet(false, true)) {
                io.execute(() -> {
                    try {
                        beat();
                    } finally {
                        beating.set(false);
                    }
                });
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        lookIn(minScanGap);
        return this;
    }

    private void register() {
        beats.register(self, clock.instant(), interval);
        takeover.registered(clock.instant()); // when it landed
    }

    /** Schedules the next look; one is pending at a time (each look schedules the next). */
    private void lookIn(Duration delay) {
        if (stopped) {
            return;
        }
        try {
            nextLook = timers.schedule(() -> io.execute(() -> {
                Instant next = null;
                try {
                    next = scan();
                } finally {
                    Instant now = clock.instant();
                    Duration wait = next == null ? minScanGap : Duration.between(now, next.plus(LOOK_MARGIN));
                    lookIn(wait.compareTo(minScanGap) < 0 ? minScanGap : wait);
                }
            }), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the worker is stopping
        }
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
                takeover.ownBeatLanded(clock.instant()); // when it landed, not when it was sent
            } else if (beats.get(self).isEmpty()) {
                register(); // the record expired or was deleted; nobody took this worker over
            } else {
                LOG.error("this worker was taken over while silent; dropping its calls without writes",
                        Map.of("worker_id", self));
                onTakenOver.run();
                register();
            }
            recovered(now);
            return true;
        } catch (RuntimeException e) {
            if (failingSince.compareAndSet(null, now)) {
                LOG.error("heartbeat write failed; keeping calls while the store is out", Map.of("error", JsonLog.describe(e)));
            }
            return false;
        }
    }

    /**
     * Reads every worker's beat and takes over each one {@link Takeover#judge} finds gone; returns when a look could
     * next find something new (null: after the shortest gap).
     */
    private Instant scan() {
        if (stopped || failingSince.get() != null) {
            return null;
        }
        try {
            List<WorkerHeartbeats.Heartbeat> all = beats.all();
            Instant now = clock.instant();
            Takeover.Judgement judgement = takeover.judge(all, now, staleAfter);
            for (WorkerHeartbeats.Heartbeat other : judgement.gone()) {
                if (stopped) {
                    break;
                }
                if (beats.claimTakeover(other, self, now)) {
                    LOG.warn("worker silent; taking over its calls", Map.of("dead_worker", other.workerId(),
                            "silent_ms", Duration.between(other.beatAt(), now).toMillis()));
                    takeOver(other.workerId());
                }
            }
            return judgement.nextLook();
        } catch (RuntimeException e) {
            LOG.warn("heartbeat scan failed", Map.of("error", JsonLog.describe(e)));
            return null;
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
        Instant since = failingSince.getAndSet(null);
        if (since != null) {
            LOG.info("heartbeat writes recovered", Map.of("failing_ms", Duration.between(since, now).toMillis()));
        }
    }

    /** Stops beating (shutdown or crash drill); the record stays, so a crashed worker's beat goes stale. */
    @Override
    public void close() {
        stopped = true;
        for (ScheduledFuture<?> task : new ScheduledFuture<?>[] {beatTask, nextLook}) {
            if (task != null) {
                task.cancel(false);
            }
        }
    }
}
