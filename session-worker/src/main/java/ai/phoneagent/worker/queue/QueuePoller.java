package ai.phoneagent.worker.queue;

import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.worker.call.CallRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Long-polls the calls queue while the worker has free capacity. It reserves slots before receiving, so a full
 * worker receives nothing and the queue's messages go to other workers. Never dies on a bad message or an SQS
 * error: it logs, backs off and goes on.
 */
public final class QueuePoller implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("queue");
    private static final long SLOT_WAIT_MS = 500;
    /**
     * How long a received message stays hidden unless its take-in hides it for longer ({@link QueuedCallIntake}): short, so
     * a message SQS handed to a receive whose answer never arrived (a poll cut off by its timeout while SQS stalled,
     * or by a stop) is back within seconds instead of after the queue's 30 s visibility timeout, and the call waiting
     * on it is greeted within 5 s of the queue's return.
     */
    public static final int RECEIVE_VISIBILITY_SECONDS = 2;

    private final CallsQueue queue;
    private final CallRegistry registry;
    private final int waitSeconds;
    private final Consumer<CallsQueue.Received> handler;
    private volatile boolean stopped;
    private volatile Thread thread;
    /** Guards {@link #receiving}: a stop interrupts the poller only while it waits in a receive, never elsewhere. */
    private final Object receiveLock = new Object();
    private boolean receiving;
    /** Intakes still running: a shutdown waits for them, so none is cut off between receive and claim. */
    private final Set<Thread> intakes = ConcurrentHashMap.newKeySet();

    public QueuePoller(CallsQueue queue, CallRegistry registry, int waitSeconds, Consumer<CallsQueue.Received> handler) {
        this.queue = queue;
        this.registry = registry;
        this.waitSeconds = waitSeconds;
        this.handler = handler;
    }

    public QueuePoller start() {
        thread = Thread.ofVirtual().name("queue-poller").start(this::run);
        return this;
    }

    private void run() {
        long backoffMs = 200;
        while (!stopped) {
            int slots;
            try {
                slots = registry.reserve(10, SLOT_WAIT_MS);
            } catch (InterruptedException e) {
                return;
            }
            if (slots == 0) {
                continue; // full: receive nothing so other workers get the calls
            }
            List<CallsQueue.Received> messages;
            try {
                messages = receive(slots);
                backoffMs = 200;
            } catch (RuntimeException e) {
                registry.release(slots);
                if (stopped) {
                    return;
                }
                LOG.error("calls-queue receive failed", Map.of("error", JsonLog.describe(e), "retry_in_ms", backoffMs));
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
                continue;
            }
            registry.release(slots - messages.size());
            for (CallsQueue.Received message : messages) {
                if (stopped) {
                    giveBack(message);
                    continue;
                }
                Thread intake = Thread.ofVirtual().name("intake").unstarted(() -> {
                    try {
                        handler.accept(message);
                    } catch (RuntimeException e) {
                        LOG.error("calls-queue message handling failed", Map.of("message_id", message.messageId(),
                                "error", JsonLog.describe(e)));
                    } finally {
                        intakes.remove(Thread.currentThread());
                    }
                });
                intakes.add(intake); // before it starts, so its own removal cannot come first
                intake.start();
            }
        }
    }

    /**
     * One receive that a stop may cut short: a stop interrupts the thread only between the two marks here, and the
     * interrupt is cleared before anything else runs, so it never cuts off a give-back or an intake.
     */
    private List<CallsQueue.Received> receive(int slots) {
        synchronized (receiveLock) {
            if (stopped) {
                return List.of();
            }
            receiving = true;
        }
        try {
            return queue.receive(slots, waitSeconds, RECEIVE_VISIBILITY_SECONDS);
        } finally {
            synchronized (receiveLock) {
                receiving = false;
                Thread.interrupted(); // a stop's interrupt that came as the receive returned
            }
        }
    }

    /** Makes a message received during shutdown visible again at once, for another worker. */
    private void giveBack(CallsQueue.Received message) {
        registry.release(1);
        try {
            queue.retryLater(message.receiptHandle(), 0);
        } catch (RuntimeException e) {
            LOG.warn("could not return message to the queue", Map.of("message_id", message.messageId()));
        }
    }

    /**
     * Stops receiving without waiting: a long poll in flight goes on (so a message sent meanwhile, e.g. this worker's
     * own hand-offs, reaches a live receive and is given back at once, visibility 0) until {@link #cutOff}.
     */
    public void requestStop() {
        stopped = true;
    }

    /**
     * Cuts off a long poll in flight after {@link #requestStop} (interrupting a virtual thread closes the socket it
     * reads), so a stop never waits out the poll's wait (up to 20 s). SQS may still hand messages to the abandoned
     * poll for the rest of its wait; each is back after {@link #RECEIVE_VISIBILITY_SECONDS}.
     */
    public void cutOff() {
        synchronized (receiveLock) {
            Thread running = thread;
            if (stopped && receiving && running != null) {
                running.interrupt();
            }
        }
    }

    /** Stops receiving, cuts off a long poll in flight, and waits up to {@code waitMs} for the poller to end. */
    public void stop(long waitMs) {
        requestStop();
        cutOff();
        awaitStopped(waitMs);
    }

    /**
     * Waits up to {@code waitMs} for the poller, and the intakes it started, to finish after a stop; false when
     * they have not.
     */
    public boolean awaitStopped(long waitMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        try {
            if (thread != null && !thread.join(Duration.ofMillis(Math.max(1, waitMs)))) {
                return false;
            }
            for (Thread intake : List.copyOf(intakes)) {
                if (!intake.join(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())))) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        stop((waitSeconds + 5) * 1_000L);
    }
}
