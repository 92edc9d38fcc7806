package ai.phoneagent.worker.control;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.command.CommandStatus;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.ControlMessage;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.queue.InvalidMessageException;
import ai.phoneagent.worker.call.CallMachine;
import ai.phoneagent.worker.call.CallSession;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One hosted call's control queue on this worker: reads it when asked (a nudge, the attach of a call that has one,
 * the safety sweep), carrying out each command at most once. The worker never makes the queue: the control side
 * makes it for the call's first command and records that on the call ({@code controlQueueMadeAt}), so a call
 * without commands costs no queue requests at all; a read of a queue not made (yet) finds nothing. A command a nudge
 * carries is carried out by the same read, before the queue is read ({@link #deliver}); its queue copy is then found
 * finished and dropped, here or by a later owner, because every execution first takes the command's claim in the
 * store. Nothing polls while the call is idle: a read runs on a virtual thread that ends once the queue is empty.
 * Commands of a call run one after another, because at most one read of a call runs at a time.
 */
final class CallControl {
    private static final JsonLog LOG = JsonLog.forComponent("control");
    /** A command taken by an executor that has not finished it after this long is reported as interrupted. */
    static final Duration STALE_EXECUTION = Duration.ofMinutes(2);
    static final String CALL_ENDED = "call_ended";
    /**
     * The receive wait of a nudged read: a long poll (any wait above zero) asks every SQS server, so it finds the
     * message the nudge announced; an empty one costs this wait on the reader's virtual thread only.
     */
    static final int NUDGED_WAIT_SECONDS = 1;

    /** Why the reads stop. */
    enum Stop {
        /** The call ended: commands still on the queue fail with {@code call_ended}, then the queue is deleted. */
        ENDED,
        /** Another worker takes the call over (hand-off, lost lease, crash drill): the queue and its messages stay. */
        DETACHED
    }

    private final CallSession session;
    private final String callId;
    private final String owner;
    private final ControlQueues queues;
    private final CallStore calls;
    private final CommandStore commands;
    private final CommandExecutor executor;
    private final Clock clock;
    private final Set<CallControl> reading;
    private final Object lock = new Object();
    private volatile Stop stop;
    private volatile String queueUrl;
    /** Whether the queue is known to have been made: the call said so at attach, or a nudge or a read found it. */
    private volatile boolean queueKnown;
    /** The wait of the read asked for and not started yet; -1 when none is. Guarded by {@link #lock}. */
    private int requestedWait = -1;
    /** Commands nudges carried, not carried out yet; guarded by {@link #lock}. */
    private final ArrayDeque<ControlMessage> delivered = new ArrayDeque<>();
    /**
     * The latest commands this worker finished on this call (at most {@value #REMEMBERED}, oldest dropped first): a
     * copy of one that arrives afterwards (the queue copy of a nudged command) is dropped without asking the store.
     * Made with the first (most calls have no command, and an idle call's footprint counts); guarded by {@link #lock}.
     */
    private LinkedHashSet<String> finishedHere;
    static final int REMEMBERED = 32;
    /** The reader thread while a read runs; guarded by {@link #lock}. */
    private Thread reader;
    /** Completed when the current reads are all done (for the sweep, which reads calls one at a time). */
    private CompletableFuture<Void> idle = CompletableFuture.completedFuture(null);

    /**
     * @param reading  the listener's set of calls with a read running (so a stop can wait for all of them)
     * @param queueUrl the call's queue URL (recorded on the call, or derived from the worker's nudge queue's), or
     *                 null: looked up by name when a read needs it
     */
    CallControl(CallSession session, String owner, ControlQueues queues, CallStore calls, CommandStore commands,
                CommandExecutor executor, Clock clock, Set<CallControl> reading, String queueUrl) {
        this.queueUrl = queueUrl;
        this.queueKnown = session.call().controlQueueMayExist();
        this.session = session;
        this.callId = session.callId();
        this.owner = owner;
        this.queues = queues;
        this.calls = calls;
        this.commands = commands;
        this.executor = executor;
        this.clock = clock;
        this.reading = reading;
    }

    /**
     * Reads the queue once when the call says one was made (a call taken over may have commands waiting); a call
     * without one has had no command, so there is nothing to read.
     */
    CallControl start() {
        if (queueKnown) {
            read(NUDGED_WAIT_SECONDS);
        }
        return this;
    }

    /** Whether the call's queue may exist: the call said so when it attached here, or a nudge or a read found it. */
    boolean queueKnown() {
        return queueKnown;
    }

    String callId() {
        return callId;
    }

    CallSession session() {
        return session;
    }

    /** The queue's URL (null when neither recorded nor derivable; then looked up by name). */
    String queueUrl() {
        return queueUrl;
    }

    /**
     * Reads the queue until it is empty, on a virtual thread; when a read is already running another follows it, so
     * a command that arrived during a read is not missed. Returns a future completed when the reads are done.
     *
     * @param waitSeconds the receive wait: {@link #NUDGED_WAIT_SECONDS} when a command is known to be there, 0 for the
     *                    sweep's look
     */
    CompletableFuture<Void> read(int waitSeconds) {
        synchronized (lock) {
            if (stopping()) {
                return CompletableFuture.completedFuture(null);
            }
            requestedWait = Math.max(requestedWait, waitSeconds);
            if (reader == null) {
                idle = new CompletableFuture<>();
                reading.add(this);
                reader = Thread.ofVirtual().name("control-" + callId).start(session.logContext().bind(this::readLoop));
            }
            return idle;
        }
    }

    /**
     * Carries out a command a nudge brought, on the read thread (so it never runs beside another command of the call),
     * then reads the queue, which holds the same command: that copy is found finished and dropped. Nothing is lost when
     * this does not run (the call stops first): the queue keeps the command for whoever reads it next.
     */
    CompletableFuture<Void> deliver(ControlMessage command) {
        synchronized (lock) {
            if (stopping()) {
                return CompletableFuture.completedFuture(null);
            }
            queueKnown = true; // a command was sent, so the control side made the queue
            delivered.add(command);
            return read(NUDGED_WAIT_SECONDS);
        }
    }

    private void readLoop() {
        while (true) {
            int wait;
            List<ControlMessage> nudged;
            CompletableFuture<Void> done;
            synchronized (lock) {
                wait = requestedWait;
                requestedWait = -1;
                nudged = List.copyOf(delivered);
                delivered.clear();
                if ((wait < 0 && nudged.isEmpty()) || stopping()) {
                    reader = null;
                    done = idle;
                    reading.remove(this);
                    done.complete(null);
                    return;
                }
            }
            for (ControlMessage command : nudged) {
                if (stopping()) {
                    break;
                }
                try {
                    carryOut(command, Via.NUDGE);
                } catch (RuntimeException e) {
                    LOG.error("nudged command not handled; the call's queue has it", Map.of("call_id", callId,
                            "command_id", command.commandId(), "error", JsonLog.describe(e)));
                }
            }
            try {
                if (wait >= 0) {
                    drain(wait);
                }
            } catch (RuntimeException e) {
                LOG.error("control queue read failed", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            }
        }
    }

    /** Asks the reads to stop; a command being carried out finishes first. */
    void stop(Stop why) {
        if (stop == null) {
            stop = why;
        }
    }

    /** Waits for a running read to finish; false when it did not within {@code timeout}. */
    boolean join(Duration timeout) {
        Thread running;
        synchronized (lock) {
            running = reader;
        }
        if (running == null) {
            return true;
        }
        try {
            return running.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean stopping() {
        return stop != null;
    }

    /**
     * One read: receives until the queue is empty and handles each message. A failing receive is retried a few times
     * with backoff; after that the command waits on the queue for the next nudge or the safety sweep.
     */
    private void drain(int waitSeconds) {
        String url = queueUrl != null ? queueUrl : locate();
        long backoffMs = 200;
        int failures = 0;
        while (url != null && !stopping()) {
            List<ControlQueues.Received> batch;
            try {
                Optional<List<ControlQueues.Received>> received = queues.receiveIfExists(url, 10, waitSeconds);
                if (received.isEmpty()) {
                    return; // not made: no command was ever sent (or the call's end deleted it)
                }
                batch = received.get();
                queueKnown = true;
                failures = 0;
            } catch (RuntimeException e) {
                if (stopping() || ++failures > 3) {
                    LOG.warn("control queue receive failed; the safety sweep reads it again", Map.of("call_id", callId,
                            "error", JsonLog.describe(e)));
                    return;
                }
                LOG.warn("control queue receive failed", Map.of("call_id", callId, "error", JsonLog.describe(e),
                        "retry_in_ms", backoffMs));
                pause(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
                continue;
            }
            if (batch.isEmpty()) {
                return;
            }
            for (ControlQueues.Received message : batch) {
                if (stop == Stop.DETACHED) {
                    return; // not ours any more: the messages become visible again for the new owner
                }
                handle(url, message);
            }
        }
    }

    /**
     * The queue's URL by name (one request), for a call whose claim recorded none while this worker had no nudge queue
     * to derive it from; null when the queue has not been made.
     */
    private String locate() {
        try {
            queueUrl = queues.find(callId).orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("control queue not looked up; the safety sweep reads it again", Map.of("call_id", callId,
                    "error", JsonLog.describe(e)));
        }
        return queueUrl;
    }

    /** Where a command came from: a nudge that carried it, or the call's queue. */
    enum Via {
        NUDGE, QUEUE;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Validates, de-duplicates and carries out one message; deletes it unless it must come back. */
    void handle(String url, ControlQueues.Received message) {
        ControlMessage command;
        try {
            command = ControlMessage.parse(message.body());
        } catch (InvalidMessageException e) {
            LOG.warn("invalid control message dropped", Map.of("call_id", callId, "why", e.getMessage()));
            delete(url, message);
            return;
        }
        if (carryOut(command, Via.QUEUE)) {
            delete(url, message);
        }
    }

    /**
     * Carries the command out once: the claim in the store ({@link CommandStore#claimExecution}) admits one execution
     * per command id across copies (nudge, queue, redelivery) and owners. Returns whether its queue message is finished
     * with; false when it must come back (not ours any more, the claim not readable, or being carried out elsewhere).
     */
    private boolean carryOut(ControlMessage command, Via via) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("call_id", callId);
        fields.put("command_id", command.commandId());
        fields.put("type", command.type().wireName());
        fields.put("via", via.wireName());
        LOG.info("command received", fields); // with "command finished": the worker's share of a command's latency
        if (finishedHereBefore(command.commandId())) {
            LOG.info("command already finished here; duplicate delivery dropped", fields);
            return true;
        }
        CallMachine.Phase phase = session.state();
        if (phase == CallMachine.Phase.RELEASED || phase == CallMachine.Phase.DISOWNED
                || phase == CallMachine.Phase.ABANDONED) {
            return false; // not ours: it becomes visible again for the call's new owner
        }
        Instant now = clock.instant();
        Optional<CommandStore.ExecutionClaim> claim;
        try {
            claim = commands.claimExecution(callId, command.commandId(), owner, now);
        } catch (RuntimeException e) {
            LOG.warn("command not claimed; it comes back after the visibility timeout",
                    with(fields, "error", JsonLog.describe(e)));
            return false;
        }
        if (claim.isEmpty()) {
            LOG.warn("control message for an unknown command dropped", fields);
            return true;
        }
        CommandStore.ExecutionClaim taken = claim.get();
        if (!taken.claimed()) {
            if (taken.status() != CommandStatus.PENDING) {
                LOG.info("command already finished; duplicate delivery dropped", fields);
                return true;
            } else if (taken.startedAt() != null && taken.startedAt().isBefore(now.minus(STALE_EXECUTION))) {
                // its executor died while carrying it out; whether it took effect is unknown, so it is not re-run
                finish(command, CommandExecutor.Outcome.failed("interrupted",
                        "The worker carrying out the command stopped before it finished"), fields);
                return true;
            }
            LOG.info("command being carried out elsewhere; looking again later", fields);
            return false;
        }
        CommandExecutor.Outcome outcome;
        if (stop == Stop.ENDED || session.state().isFinal()) {
            outcome = CommandExecutor.Outcome.failed(CALL_ENDED, "The call has ended");
        } else {
            try {
                outcome = executor.execute(session, command);
            } catch (RuntimeException e) {
                LOG.error("command failed unexpectedly", with(fields, "error", JsonLog.describe(e)));
                outcome = CommandExecutor.Outcome.failed("internal_error", "The worker could not carry out the command");
            }
        }
        finish(command, outcome, fields);
        return true;
    }

    /** Fails a still-pending command because the call is over (end-of-call clean-up). */
    void failEnded(ControlMessage command) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("call_id", callId);
        fields.put("command_id", command.commandId());
        fields.put("type", command.type().wireName());
        finish(command, CommandExecutor.Outcome.failed(CALL_ENDED, "The call has ended"), fields);
    }

    /** Writes the outcome once (the write is conditional on PENDING) and records a {@code command} event. */
    private void finish(ControlMessage command, CommandExecutor.Outcome outcome, Map<String, Object> fields) {
        Instant now = clock.instant();
        boolean written = false;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                written = outcome.ok()
                        ? commands.complete(callId, command.commandId(), outcome.result(), now)
                        : commands.fail(callId, command.commandId(), outcome.code(), outcome.message(), now);
                break;
            } catch (RuntimeException e) {
                LOG.warn("command outcome not written", with(fields, "attempt", attempt, "error", JsonLog.describe(e)));
                pause(200L * attempt);
            }
        }
        if (!written) {
            return; // finished before (or the store is unreachable); never record the outcome twice
        }
        rememberFinished(command.commandId());
        ObjectNode details = Json.object().put("commandId", command.commandId()).put("type", command.type().wireName())
                .put("outcome", outcome.ok() ? "done" : "failed").put("code", outcome.code());
        try {
            calls.appendEvent(callId, "command", details, now);
        } catch (RuntimeException e) {
            LOG.warn("command event not recorded", with(fields, "error", JsonLog.describe(e)));
        }
        LOG.info("command finished", with(fields, "outcome", outcome.ok() ? "done" : "failed", "code", outcome.code()));
    }

    private boolean finishedHereBefore(String commandId) {
        synchronized (lock) {
            return finishedHere != null && finishedHere.contains(commandId);
        }
    }

    private void rememberFinished(String commandId) {
        synchronized (lock) {
            if (finishedHere == null) {
                finishedHere = new LinkedHashSet<>();
            }
            finishedHere.add(commandId);
            if (finishedHere.size() > REMEMBERED) {
                finishedHere.removeFirst();
            }
        }
    }

    private void delete(String url, ControlQueues.Received message) {
        try {
            queues.delete(url, message.receiptHandle());
        } catch (RuntimeException e) {
            // a redelivery finds the command finished and is dropped then
            LOG.warn("control message not deleted", Map.of("call_id", callId, "error", JsonLog.describe(e)));
        }
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... more) {
        Map<String, Object> fields = new HashMap<>(base);
        for (int i = 0; i + 1 < more.length; i += 2) {
            fields.put((String) more[i], more[i + 1]);
        }
        return fields;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
