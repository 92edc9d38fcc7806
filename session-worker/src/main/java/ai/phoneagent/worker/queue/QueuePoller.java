package ai.phoneagent.worker.queue;

import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.worker.call.CallRegistry;
import java.util.List;
import java.util.Map;
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
    private Thread thread;

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
                Thread.ofVirtual().name("intake").start(() -> {
                    try {
                        handler.accept(message);
                    } catch (RuntimeException e) {
                        LOG.error("calls-queue message handling failed", Map.of("message_id", message.messageId(),
                                "error", JsonLog.describe(e)));
                    }
                });
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

    /** Stops receiving; waits up to {@code waitMs} for a long poll in flight to return. */
    public void stop(long waitMs) {
        stopped = true;
        if (thread != null) {
            try {
                thread.join(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop((waitSeconds + 5) * 1_000L);
    }
}
