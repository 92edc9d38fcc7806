package ai.phoneagent.worker.control;

import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.command.Nudge;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.queue.InvalidMessageException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The worker's one nudge queue ({@code <CONTROL_QUEUE_PREFIX>worker-<worker id>}): created at start, long-polled by
 * one virtual thread (a receive returns as soon as a nudge arrives), each {@link Nudge} handed to {@code onNudge} and
 * then deleted. A nudge carries the command (carried out at once) or only says "read this call's queue now"; the call's
 * queue holds every command too, so losing a nudge delays a command until the safety sweep, never loses it.
 */
final class NudgeListener {
    private static final JsonLog LOG = JsonLog.forComponent("control");

    private final String workerId;
    private final ControlQueues queues;
    private final int waitSeconds;
    private final Consumer<Nudge> onNudge;
    private volatile boolean stopped;
    private volatile String queueUrl;
    private Thread thread;

    NudgeListener(String workerId, ControlQueues queues, int waitSeconds, Consumer<Nudge> onNudge) {
        this.workerId = workerId;
        this.queues = queues;
        this.waitSeconds = waitSeconds;
        this.onNudge = onNudge;
    }

    synchronized void start() {
        if (thread == null && !stopped) {
            thread = Thread.ofVirtual().name("nudges").start(this::run);
        }
    }

    boolean stopped() {
        return stopped;
    }

    /** The queue's URL once created (null before). */
    String queueUrl() {
        return queueUrl;
    }

    private void run() {
        long backoffMs = 200;
        while (!stopped) {
            String url = queueUrl;
            try {
                if (url == null) {
                    url = queues.createNudgeQueue(workerId);
                    queueUrl = url;
                    LOG.info("nudge queue ready", Map.of("worker_id", workerId, "queue", queues.nudgeQueueName(workerId)));
                }
                List<ControlQueues.Received> batch = queues.receive(url, 10, waitSeconds);
                backoffMs = 200;
                for (ControlQueues.Received message : batch) {
                    if (stopped) {
                        return; // a halted worker acts on nothing more; the nudge's call is read at its next attach
                    }
                    handle(url, message);
                }
            } catch (QueueDoesNotExistException e) {
                if (!stopped) {
                    // deleted under us (the sweep thought this worker gone): make it again
                    LOG.warn("nudge queue vanished; creating it again", Map.of("worker_id", workerId));
                    queueUrl = null;
                }
            } catch (RuntimeException e) {
                if (stopped) {
                    return;
                }
                LOG.warn("nudge queue receive failed", Map.of("worker_id", workerId, "error", JsonLog.describe(e),
                        "retry_in_ms", backoffMs));
                pause(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
    }

    private void handle(String url, ControlQueues.Received message) {
        Nudge nudge = null;
        try {
            nudge = Nudge.parse(message.body());
        } catch (InvalidMessageException e) {
            LOG.warn("invalid nudge dropped", Map.of("worker_id", workerId, "why", e.getMessage()));
        }
        if (nudge != null) {
            if (nudge.commandProblem().isPresent()) {
                // the call's queue holds the same command: reading it loses nothing
                LOG.warn("nudge's command rejected; reading the call's queue for it", Map.of("worker_id", workerId,
                        "call_id", nudge.callId(), "why", nudge.commandProblem().get()));
            }
            try {
                onNudge.accept(nudge);
            } catch (RuntimeException e) {
                LOG.error("nudge not handled; the safety sweep reads the call's queue", Map.of("call_id", nudge.callId(),
                        "error", JsonLog.describe(e)));
            }
        }
        try {
            queues.delete(url, message.receiptHandle());
        } catch (RuntimeException e) {
            // it comes back after the visibility timeout and causes one more (harmless) read
            LOG.warn("nudge not deleted", Map.of("worker_id", workerId, "error", JsonLog.describe(e)));
        }
    }

    /**
     * Stops the poll (a receive in flight is interrupted: a virtual thread's blocking socket read ends when the thread
     * is interrupted) and, when {@code deleteQueue} (a clean shutdown), deletes the queue.
     */
    void close(boolean deleteQueue) {
        Thread running;
        synchronized (this) {
            stopped = true;
            running = thread;
        }
        if (running != null) {
            running.interrupt();
            try {
                if (!running.join(Duration.ofSeconds(waitSeconds + 5L))) {
                    LOG.warn("nudge poll slow to stop", Map.of("worker_id", workerId));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String url = queueUrl;
        if (deleteQueue && url != null) {
            try {
                queues.deleteQueue(url);
                LOG.info("nudge queue deleted", Map.of("worker_id", workerId));
            } catch (RuntimeException e) {
                LOG.warn("nudge queue not deleted; the sweep deletes it later", Map.of("worker_id", workerId,
                        "error", JsonLog.describe(e)));
            }
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
