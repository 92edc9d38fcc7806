package ai.phoneagent.worker.realtime;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Notices call sockets that went silent without closing (no FIN, no RST), for every socket of a worker with one
 * periodic sweep on a scheduler the watch is given (the link's own event loop, so no thread of its own): a socket
 * that has received nothing for {@code idleBeforePing} is pinged, and one whose ping is not answered within
 * {@code pongTimeout} is reported silent. A socket that hears anything (an event, a pong) is not pinged at all, so a
 * busy call costs nothing and an idle one one ping per {@code idleBeforePing}.
 *
 * <p>One sweep for all sockets, rather than a timer per socket, keeps the idle cost flat: one pass over a set per
 * tick and no per-socket scheduled task on the heap or timer wake-up. A silent socket is noticed within
 * {@link #worstCaseDetection()}.
 */
public final class SilenceWatch implements AutoCloseable {
    /** One watched socket: how to ping it and how many pongs it has received. */
    public interface Pingable {
        /** Sends a ping frame (asynchronously; never blocks the watch). */
        void ping();

        /** Pongs received so far. */
        int pongs();
    }

    private final long idleBeforePingNanos;
    private final long pongTimeoutNanos;
    private final long tickNanos;
    private final LongSupplier clock;
    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> sweep;

    /**
     * @param idleBeforePing how long a socket may hear nothing before it is pinged
     * @param pongTimeout    how long a ping may go unanswered before the socket counts as silent
     * @param scheduler      runs the sweep; not owned by the watch (the connector's event loop)
     */
    public SilenceWatch(Duration idleBeforePing, Duration pongTimeout, ScheduledExecutorService scheduler) {
        this(idleBeforePing, pongTimeout, System::nanoTime, scheduler);
    }

    /** A watch driven by {@link #tick()} calls alone, on the given clock (nanoseconds): for tests. */
    static SilenceWatch manual(Duration idleBeforePing, Duration pongTimeout, LongSupplier clock) {
        return new SilenceWatch(idleBeforePing, pongTimeout, clock, null);
    }

    private SilenceWatch(Duration idleBeforePing, Duration pongTimeout, LongSupplier clock,
                         ScheduledExecutorService scheduler) {
        if (!idleBeforePing.isPositive() || !pongTimeout.isPositive()) {
            throw new IllegalArgumentException("idleBeforePing and pongTimeout must be positive");
        }
        this.idleBeforePingNanos = idleBeforePing.toNanos();
        this.pongTimeoutNanos = pongTimeout.toNanos();
        // fine enough that the tick adds little to the detection time, coarse enough to cost nothing
        this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(20), Math.min(TimeUnit.MILLISECONDS.toNanos(500),
                Math.min(idleBeforePingNanos, pongTimeoutNanos) / 4));
        this.clock = clock;
        this.sweep = scheduler == null ? null
                : scheduler.scheduleWithFixedDelay(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The longest a socket can be silent before it is reported: the idle time, the pong wait, and a tick each for
     * seeing the last pong, sending the ping and seeing that no pong came.
     */
    public Duration worstCaseDetection() {
        return Duration.ofNanos(idleBeforePingNanos + pongTimeoutNanos + 3 * tickNanos);
    }

    long idleBeforePingMillis() {
        return TimeUnit.NANOSECONDS.toMillis(idleBeforePingNanos);
    }

    long pongTimeoutMillis() {
        return TimeUnit.NANOSECONDS.toMillis(pongTimeoutNanos);
    }

    /** Starts watching an open socket; {@code onSilent} runs once (on the sweep's thread) if it goes silent. */
    public Watched watch(Pingable socket, Runnable onSilent) {
        Watched w = new Watched(socket, onSilent, clock.getAsLong());
        watched.add(w);
        return w;
    }

    /** Sockets watched now. */
    public int size() {
        return watched.size();
    }

    /** One pass over every socket: pings the ones idle long enough, reports the ones whose ping went unanswered. */
    void tick() {
        long now = clock.getAsLong();
        for (Watched w : watched) {
            try {
                w.check(now);
            } catch (RuntimeException e) {
                // one socket's trouble (e.g. torn down under us) must not stop the watch of the others
                w.stop();
            }
        }
    }

    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel(false);
        }
        watched.clear();
    }

    /** A socket under watch. {@link #heard()} is called by its reader; everything else by the sweep. */
    public final class Watched {
        private final Pingable socket;
        private final Runnable onSilent;
        private volatile long lastHeardNanos;
        private long pingSentNanos;
        private int pongsAtPing;
        private boolean awaitingPong;

        private Watched(Pingable socket, Runnable onSilent, long now) {
            this.socket = socket;
            this.onSilent = onSilent;
            this.lastHeardNanos = now;
        }

        /** The socket received something: it is alive. */
        public void heard() {
            lastHeardNanos = clock.getAsLong();
        }

        /** Stops watching (the socket closed). */
        public void stop() {
            watched.remove(this);
        }

        private void check(long now) {
            if (awaitingPong) {
                if (socket.pongs() != pongsAtPing || lastHeardNanos - pingSentNanos > 0) {
                    awaitingPong = false;
                    lastHeardNanos = Math.max(lastHeardNanos, now);
                } else if (now - pingSentNanos >= pongTimeoutNanos) {
                    stop();
                    onSilent.run();
                }
            } else if (now - lastHeardNanos >= idleBeforePingNanos) {
                pongsAtPing = socket.pongs();
                pingSentNanos = now;
                awaitingPong = true;
                socket.ping();
            }
        }
    }
}
