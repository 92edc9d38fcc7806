package ai.phoneagent.worker.control;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.worker.call.CallLifecycleListener;
import ai.phoneagent.worker.call.CallMachine;
import ai.phoneagent.worker.call.CallSession;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker side of operator commands. Plugged in as a {@link CallLifecycleListener}, so nothing here is on the path
 * from queue message to greeting:
 * <ul>
 *   <li>attached: create the call's control queue ({@code <CONTROL_QUEUE_PREFIX><call_id>}), record it on the call
 *       item and long-poll it ({@link CallControl});</li>
 *   <li>ended: stop polling, fail whatever is still pending with {@code call_ended}, delete the queue;</li>
 *   <li>detached (hand-off, lost lease): stop polling and leave the queue with its messages to the new owner.</li>
 * </ul>
 */
public final class ControlQueueListener implements CallLifecycleListener, AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("control");

    private final String owner;
    private final ControlQueues queues;
    private final CallStore calls;
    private final CommandStore commands;
    private final CommandExecutor executor;
    private final int waitSeconds;
    private final Clock clock;
    private final ConcurrentHashMap<String, CallControl> active = new ConcurrentHashMap<>();
    /** Every poller thread still running, including ones already told to stop. */
    private final Set<CallControl> running = ConcurrentHashMap.newKeySet();
    private volatile boolean halted;

    /**
     * @param waitSeconds the long-poll wait (0–20 s); short, because a call's end waits for the poll in flight
     */
    public ControlQueueListener(String owner, ControlQueues queues, CallStore calls, CommandStore commands,
                                CommandExecutor executor, int waitSeconds, Clock clock) {
        this.owner = owner;
        this.queues = queues;
        this.calls = calls;
        this.commands = commands;
        this.executor = executor;
        this.waitSeconds = waitSeconds;
        this.clock = clock;
    }

    /** How long a stop may wait for the poller: its long poll, plus a command being carried out. */
    private Duration joinBound() {
        return Duration.ofSeconds(waitSeconds + 30L);
    }

    /** Calls whose control queue this worker polls now. */
    public List<String> polling() {
        return List.copyOf(active.keySet());
    }

    @Override
    public void onAttached(CallSession session) {
        if (halted || session.state().isFinal()) {
            return;
        }
        CallControl control = newControl(session);
        CallControl[] replaced = new CallControl[1];
        CallControl current = active.compute(session.callId(), (id, previous) -> {
            if (previous != null && previous.session() == session) {
                return previous; // already polling for this session
            }
            replaced[0] = previous; // an older session of the same call whose detach hook has not run yet
            return control;
        });
        if (current != control) {
            return;
        }
        if (replaced[0] != null) {
            replaced[0].stop(CallControl.Stop.DETACHED);
        }
        running.add(control);
        control.start();
        if (session.state().isFinal()) {
            // the call stopped while we were starting; its end/detach hook may have missed the new poller
            control.stop(session.state() == CallMachine.Phase.ENDED ? CallControl.Stop.ENDED : CallControl.Stop.DETACHED);
        }
    }

    private CallControl newControl(CallSession session) {
        return new CallControl(session, owner, queues, calls, commands, executor, waitSeconds, clock, running::remove);
    }

    /** Removes and returns the session's poller, if this session's is the one registered. */
    private CallControl take(CallSession session) {
        CallControl control = active.get(session.callId());
        if (control != null && control.session() == session && active.remove(session.callId(), control)) {
            return control;
        }
        return null;
    }

    @Override
    public void onEnded(CallSession session, String reason) {
        if (halted) {
            return;
        }
        String callId = session.callId();
        CallControl control = take(session);
        if (control == null) {
            // never polled here (the call ended before its first attach): a previous owner's queue may still exist
            control = newControl(session);
        }
        control.stop(CallControl.Stop.ENDED);
        if (!control.join(joinBound())) {
            LOG.warn("control poller slow to stop", Map.of("call_id", callId));
        }
        cleanUpEnded(control);
    }

    @Override
    public void onDetached(CallSession session, String why) {
        CallControl control = take(session);
        if (control != null) {
            control.stop(CallControl.Stop.DETACHED);
            LOG.info("control queue left to the call's next owner", Map.of("call_id", session.callId(), "why", why));
        }
    }

    /**
     * After a call's end: commands still on its queue or still pending fail with {@code call_ended} (so the operator
     * gets an answer rather than a command that never finishes), then the queue is deleted.
     */
    private void cleanUpEnded(CallControl control) {
        String callId = control.callId();
        Optional<String> url;
        try {
            url = control.queueUrl() != null ? Optional.of(control.queueUrl()) : queues.find(callId);
        } catch (RuntimeException e) {
            LOG.warn("control queue lookup failed; the sweep deletes it later", Map.of("call_id", callId,
                    "error", JsonLog.describe(e)));
            return;
        }
        if (url.isPresent()) {
            for (int round = 0; round < 5; round++) {
                List<ControlQueues.Received> batch;
                try {
                    batch = queues.receiveIfExists(url.get(), 10, 0).orElse(List.of());
                } catch (RuntimeException e) {
                    break;
                }
                if (batch.isEmpty()) {
                    break;
                }
                // the poller has stopped for ENDED: each pending command fails with call_ended, once
                batch.forEach(message -> control.handle(url.get(), message));
            }
        }
        try {
            for (Command pending : commands.pending(callId)) {
                control.failEnded(pending.message());
            }
        } catch (RuntimeException e) {
            LOG.warn("pending commands not failed", Map.of("call_id", callId, "error", JsonLog.describe(e)));
        }
        if (url.isPresent()) {
            try {
                queues.deleteQueue(url.get());
                LOG.info("control queue deleted", Map.of("call_id", callId));
            } catch (RuntimeException e) {
                LOG.warn("control queue not deleted; the sweep deletes it later", Map.of("call_id", callId,
                        "error", JsonLog.describe(e)));
            }
        }
    }

    /**
     * Stops every poller and waits for them (a command in progress finishes), leaving the queues and their messages
     * for the calls' next owners. The worker does this at shutdown before it hands the calls off, so no poll is in
     * flight when the next owner starts polling.
     */
    @Override
    public void close() {
        close(Duration.ofSeconds(waitSeconds + 30L));
    }

    /** As {@link #close()}, waiting at most {@code bound}. */
    public void close(Duration bound) {
        stopAll(bound);
    }

    /** Stops at once, like a killed process: pollers stop, nothing is written or deleted. */
    public void halt() {
        halted = true;
        // a process that dies takes its long polls with it; wait for ours so none receives after the "crash"
        stopAll(Duration.ofSeconds(waitSeconds + 5L));
    }

    private void stopAll(Duration bound) {
        List<CallControl> stopping = new ArrayList<>(running);
        active.clear();
        stopping.forEach(c -> c.stop(CallControl.Stop.DETACHED));
        long deadline = System.nanoTime() + bound.toNanos();
        for (CallControl c : stopping) {
            c.join(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
        }
    }
}
