package ai.phoneagent.worker.control;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.EndReason;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.command.Nudge;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.worker.call.CallLifecycleListener;
import ai.phoneagent.worker.call.CallMachine;
import ai.phoneagent.worker.call.CallSession;
import ai.phoneagent.worker.queue.ControlQueuePreparer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * The worker side of operator commands. Plugged in as a {@link CallLifecycleListener}, so nothing here is on the path
 * from queue message to greeting:
 * <ul>
 *   <li>claimed: the claim records the call's control queue URL ({@code <CONTROL_QUEUE_PREFIX><call_id>}, derived
 *       from this worker's nudge queue's, no request); the queue itself is made by the control side for the call's
 *       first command ({@code controlQueueMadeAt} on the call), so a call without commands costs no queue request;</li>
 *   <li>attached: read the call's queue once when the call says it was made ({@link CallControl}: a call taken over
 *       may have commands waiting);</li>
 *   <li>nudged: the control side puts a {@link Nudge} on this worker's one nudge queue ({@link NudgeListener})
 *       after each command, carrying the command: it is carried out at once, then the call's queue is read (where its
 *       copy is found finished and dropped); a nudge without a valid command only has the call's queue read;</li>
 *   <li>every {@code CONTROL_SAFETY_SWEEP_MS} (jittered): every hosted call's queue is read once, for nudges that
 *       were lost;</li>
 *   <li>ended: stop reading; when a queue was made (the end's write returns the call), fail whatever is still
 *       pending with {@code call_ended} and delete the queue;</li>
 *   <li>detached (hand-off, lost lease): stop reading and leave the queue with its messages to the new owner.</li>
 * </ul>
 */
public final class ControlQueueListener implements CallLifecycleListener, ControlQueuePreparer, AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("control");
    /** How long the sweep waits for one call's read before it goes on to the next call. */
    private static final Duration SWEEP_READ_BOUND = Duration.ofSeconds(5);

    private final String owner;
    private final ControlQueues queues;
    private final CallStore calls;
    private final CommandStore commands;
    private final CommandExecutor executor;
    private final Clock clock;
    private final NudgeListener nudges;
    /** How often every hosted call's queue is read for commands whose nudge was lost (±25 % jitter). */
    private final Duration safetySweep;
    private final ConcurrentHashMap<String, CallControl> active = new ConcurrentHashMap<>();
    /** Every call with a read running, including ones already told to stop. */
    private final Set<CallControl> running = ConcurrentHashMap.newKeySet();
    private volatile boolean halted;
    private volatile ScheduledFuture<?> nextSweep;

    /**
     * @param nudgeWaitSeconds the long-poll wait on the worker's nudge queue (0–20 s)
     * @param safetySweep      how often every hosted call's queue is read for lost nudges ({@code CONTROL_SAFETY_SWEEP_MS})
     */
    public ControlQueueListener(String owner, ControlQueues queues, CallStore calls, CommandStore commands,
                                CommandExecutor executor, int nudgeWaitSeconds, Duration safetySweep, Clock clock) {
        this.owner = owner;
        this.queues = queues;
        this.calls = calls;
        this.commands = commands;
        this.executor = executor;
        this.clock = clock;
        this.safetySweep = safetySweep;
        this.nudges = new NudgeListener(owner, queues, nudgeWaitSeconds, this::nudged);
    }

    /** How long a stop may wait for a call's read: one receive, plus a command being carried out. */
    private static Duration joinBound() {
        return Duration.ofSeconds(CallControl.NUDGED_WAIT_SECONDS + 30L);
    }

    /**
     * Creates the worker's nudge queue and starts its one long poll, and schedules the safety sweep on the worker's
     * shared timer (the reads run on virtual threads, never on the timer).
     */
    public ControlQueueListener start(ScheduledExecutorService timers, Executor io, RandomGenerator random) {
        nudges.start();
        scheduleSweep(timers, io, random);
        return this;
    }

    private void scheduleSweep(ScheduledExecutorService timers, Executor io, RandomGenerator random) {
        if (halted || nudges.stopped()) {
            return;
        }
        long ms = safetySweep.toMillis();
        long delay = ms * 3 / 4 + random.nextLong(ms / 2);
        try {
            nextSweep = timers.schedule(() -> io.execute(() -> {
                try {
                    sweepNow();
                } finally {
                    scheduleSweep(timers, io, random);
                }
            }), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the worker is stopping
        }
    }

    /** Calls whose control queue this worker reads (on nudges, at attach and in the safety sweep). */
    public List<String> polling() {
        return List.copyOf(active.keySet());
    }

    /**
     * The call's control queue URL, derived from this worker's nudge queue's (same account and region) without a
     * request, for the claim to record; empty until the nudge queue exists.
     */
    private Optional<String> controlQueueUrl(String callId) {
        return nudgeQueueUrl().map(nudge -> queues.queueUrl(nudge, callId));
    }

    /**
     * The URL the claim records for the call's control queue: derived, no request, and the queue is not made here
     * (the control side makes it for the call's first command). Empty until the nudge queue exists.
     */
    @Override
    public Optional<String> prepare(String callId) {
        return halted ? Optional.empty() : controlQueueUrl(callId);
    }

    /** The URL of this worker's nudge queue once created. */
    public Optional<String> nudgeQueueUrl() {
        return Optional.ofNullable(nudges.queueUrl());
    }

    /**
     * The safety sweep, now: reads the queue of every hosted call that has one, once, one call at a time, for commands
     * whose nudge was lost. Which queues exist comes from one listing of the control queues (a page per 1,000 queues),
     * so a worker holding thousands of calls without commands makes a few requests, not one receive per call. When
     * the listing fails, every hosted call's queue is read. Returns the number of calls read.
     */
    public int sweepNow() {
        Set<String> existing = existingQueueNames();
        int read = 0;
        for (CallControl control : List.copyOf(active.values())) {
            if (halted) {
                break;
            }
            if (existing != null && !existing.contains(queues.queueName(control.callId()))) {
                continue; // no command was ever sent to this call (as of the listing): nothing to find
            }
            try {
                control.read(0).get(SWEEP_READ_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // still reading (a slow command): it carries on by itself; the sweep goes on to the next call
            }
            read++;
        }
        return read;
    }

    /** The names of the control queues that exist now; null when they could not be listed. */
    private Set<String> existingQueueNames() {
        try {
            return queues.listAll().stream().map(ControlQueues::nameOf).collect(Collectors.toSet());
        } catch (RuntimeException e) {
            LOG.warn("control queues not listed; the safety sweep reads every hosted call's queue", Map.of(
                    "error", JsonLog.describe(e)));
            return null;
        }
    }

    private void nudged(Nudge nudge) {
        CallControl control = active.get(nudge.callId());
        if (control == null) {
            // not hosted here (ended, or handed off): its next owner reads the queue when it attaches
            LOG.info("nudge for a call not hosted here dropped", Map.of("call_id", nudge.callId()));
            return;
        }
        if (nudge.hungUp().isPresent()) {
            Nudge.HungUp hungUp = nudge.hungUp().get();
            LOG.info("control side's hang-up taken by OpenAI", Map.of("call_id", nudge.callId(),
                    "command_id", hungUp.commandId(), "reason", hungUp.reason()));
            control.session().hungUpElsewhere(new EndReason(hungUp.reason()));
            return;
        }
        nudge.command().ifPresentOrElse(control::deliver, () -> control.read(CallControl.NUDGED_WAIT_SECONDS));
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
        control.start();
        if (session.state().isFinal()) {
            // the call stopped while we were starting; its end/detach hook may have missed the new poller
            control.stop(session.state() == CallMachine.Phase.ENDED ? CallControl.Stop.ENDED : CallControl.Stop.DETACHED);
        }
    }

    private CallControl newControl(CallSession session) {
        String recorded = session.call().controlQueueUrl();
        return new CallControl(session, owner, queues, calls, commands, executor, clock, running,
                recorded != null && !recorded.isBlank() ? recorded : controlQueueUrl(session.callId()).orElse(null));
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
        cleanUpEnded(control, session);
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
     * After a call's end: commands still pending fail with {@code call_ended} (so the operator gets an answer rather
     * than a command that never finishes), then the queue is deleted. Every command on the queue is a pending
     * {@code CMD#} item (stored before it is sent; the read is consistent), so the queue itself is not read. Nothing
     * of this runs (no query, no delete) when the end's own write says no queue was ever made for the call: the control
     * side records that before it stores a command's queue copy, and cannot once the call has ended. When this worker's
     * end write did not land (the call had ended already, or the store was unreachable), it cleans up as if one was.
     */
    private void cleanUpEnded(CallControl control, CallSession session) {
        String callId = control.callId();
        boolean made = control.queueKnown() || session.endedAs().map(CallRecord::controlQueueMayExist).orElse(true);
        if (!made) {
            return;
        }
        Optional<String> url;
        try {
            url = control.queueUrl() != null ? Optional.of(control.queueUrl()) : queues.find(callId);
        } catch (RuntimeException e) {
            LOG.warn("control queue lookup failed; the sweep deletes it later", Map.of("call_id", callId,
                    "error", JsonLog.describe(e)));
            return;
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
     * Stops the nudge poll (deleting the nudge queue) and every read, and waits for them (a command in progress
     * finishes), leaving the calls' queues and their messages for the calls' next owners. The worker does this at
     * shutdown before it hands the calls off, so no read is in flight when the next owner reads.
     */
    @Override
    public void close() {
        close(joinBound());
    }

    /** As {@link #close()}, waiting at most {@code bound}. */
    public void close(Duration bound) {
        cancelSweep();
        nudges.close(true);
        stopAll(bound);
    }

    /** Stops at once, like a killed process: reads stop, nothing is written or deleted (the nudge queue stays). */
    public void halt() {
        halted = true;
        cancelSweep();
        // a process that dies takes its polls with it; wait for ours so none receives after the "crash"
        nudges.close(false);
        stopAll(Duration.ofSeconds(CallControl.NUDGED_WAIT_SECONDS + 5L));
    }

    private void cancelSweep() {
        ScheduledFuture<?> sweep = nextSweep;
        if (sweep != null) {
            sweep.cancel(false);
        }
    }

    private void stopAll(Duration bound) {
        Set<CallControl> stopping = new java.util.HashSet<>(running);
        stopping.addAll(active.values());
        active.clear();
        stopping.forEach(c -> c.stop(CallControl.Stop.DETACHED));
        long deadline = System.nanoTime() + bound.toNanos();
        for (CallControl c : stopping) {
            c.join(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
        }
    }
}
