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

    private final CallsQueue queue;
    private final CallRegistry registry;
    private final int waitSeconds;
    private final Consumer<CallsQueue.Received> handler;
    private volatile boolean stopped;
    private volatile Thread thread;
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
                messages = queue.receive(slots, waitSeconds);
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
     * Stops receiving without waiting: a long poll in flight goes on (cutting it off could strand messages SQS
     * hands to it, hand-offs included) and whatever it brings is given back; {@link #awaitStopped} waits for it.
     */
    public void requestStop() {
        stopped = true;
    }

    /** Stops receiving; waits up to {@code waitMs} for a long poll in flight to return. */
    public void stop(long waitMs) {
        requestStop();
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
