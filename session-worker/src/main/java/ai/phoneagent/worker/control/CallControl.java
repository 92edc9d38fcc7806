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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * One hosted call's control queue on this worker: creates it (idempotent, so a worker taking the call over finds
 * the same queue and its pending messages), records it on the call item, and long-polls it for as long as this
 * worker hosts the call, carrying out each command at most once. Runs on one virtual thread; commands of a call run
 * one after another, in arrival order.
 */
final class CallControl {
    private static final JsonLog LOG = JsonLog.forComponent("control");
    /** A command taken by an executor that has not finished it after this long is reported as interrupted. */
    static final Duration STALE_EXECUTION = Duration.ofMinutes(2);
    static final String CALL_ENDED = "call_ended";

    /** Why the poller stops. */
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
    private final int waitSeconds;
    private final Clock clock;
    private final Consumer<CallControl> onExit;
    private volatile Stop stop;
    private volatile String queueUrl;
    private Thread thread;

    CallControl(CallSession session, String owner, ControlQueues queues, CallStore calls, CommandStore commands,
                CommandExecutor executor, int waitSeconds, Clock clock, Consumer<CallControl> onExit) {
        this.onExit = onExit;
        this.session = session;
        this.callId = session.callId();
        this.owner = owner;
        this.queues = queues;
        this.calls = calls;
        this.commands = commands;
        this.executor = executor;
        this.waitSeconds = waitSeconds;
        this.clock = clock;
    }

    CallControl start() {
        thread = Thread.ofVirtual().name("control-" + callId).start(() -> {
            try {
                run();
            } finally {
                onExit.accept(this);
            }
        });
        return this;
    }

    String callId() {
        return callId;
    }

    CallSession session() {
        return session;
    }

    /** The queue's URL once created (null before). */
    String queueUrl() {
        return queueUrl;
    }

    /** Asks the poller to stop; a command being carried out finishes first. */
    void stop(Stop why) {
        if (stop == null) {
            stop = why;
        }
    }

    /** Waits for the poller to finish; false when it did not within {@code timeout}. */
    boolean join(Duration timeout) {
        if (thread == null) {
            return true;
        }
        try {
            return thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean stopping() {
        return stop != null;
    }

    private void run() {
        String url = createAndRecord();
        long backoffMs = 200;
        while (url != null && !stopping()) {
            List<ControlQueues.Received> batch;
            try {
                batch = queues.receive(url, 10, waitSeconds);
                backoffMs = 200;
            } catch (QueueDoesNotExistException e) {
                if (stopping()) {
                    break;
                }
                // deleted under a live call (e.g. a sweep raced a late status write): make it again
                LOG.warn("control queue vanished; creating it again", Map.of("call_id", callId));
                url = createAndRecord();
                continue;
            } catch (RuntimeException e) {
                if (stopping()) {
                    break;
                }
                LOG.warn("control queue receive failed", Map.of("call_id", callId, "error", JsonLog.describe(e),
                        "retry_in_ms", backoffMs));
                pause(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
                continue;
            }
            for (ControlQueues.Received message : batch) {
                if (stop == Stop.DETACHED) {
                    break; // not ours any more: the messages become visible again for the new owner
                }
                handle(url, message);
            }
        }
    }

    /** Creates the queue (retrying with backoff while the call lasts) and records it; null when stopped first. */
    private String createAndRecord() {
        long backoffMs = 200;
        String url = null;
        while (url == null && !stopping()) {
            try {
                url = queues.create(callId);
            } catch (RuntimeException e) {
                LOG.warn("control queue not created", Map.of("call_id", callId, "error", JsonLog.describe(e),
                        "retry_in_ms", backoffMs));
                pause(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
        if (url == null) {
            return null;
        }
        queueUrl = url;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                if (!calls.setControlQueueUrl(callId, owner, url)) {
                    // another worker owns the call now; the lease keeper stops this session shortly
                    LOG.warn("control queue not recorded: the call has another owner", Map.of("call_id", callId));
                    return null;
                }
                break;
            } catch (RuntimeException e) {
                // not fatal: the control API also finds an attached call's queue by name
                LOG.warn("control queue not recorded", Map.of("call_id", callId, "attempt", attempt,
                        "error", JsonLog.describe(e)));
                pause(200L * attempt);
            }
        }
        LOG.info("control queue ready", Map.of("call_id", callId));
        return url;
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
        Map<String, Object> fields = new HashMap<>();
        fields.put("call_id", callId);
        fields.put("command_id", command.commandId());
        fields.put("type", command.type().wireName());
        CallMachine.Phase phase = session.state();
        if (phase == CallMachine.Phase.RELEASED || phase == CallMachine.Phase.DISOWNED
                || phase == CallMachine.Phase.ABANDONED) {
            return; // not ours: it becomes visible again for the call's new owner
        }
        Instant now = clock.instant();
        Optional<CommandStore.ExecutionClaim> claim;
        try {
            claim = commands.claimExecution(callId, command.commandId(), owner, now);
        } catch (RuntimeException e) {
            LOG.warn("command not claimed; it comes back after the visibility timeout",
                    with(fields, "error", JsonLog.describe(e)));
            return;
        }
        if (claim.isEmpty()) {
            LOG.warn("control message for an unknown command dropped", fields);
            delete(url, message);
            return;
        }
        CommandStore.ExecutionClaim taken = claim.get();
        if (!taken.claimed()) {
            if (taken.status() != CommandStatus.PENDING) {
                LOG.info("command already finished; duplicate delivery dropped", fields);
                delete(url, message);
            } else if (taken.startedAt() != null && taken.startedAt().isBefore(now.minus(STALE_EXECUTION))) {
                // its executor died while carrying it out; whether it took effect is unknown, so it is not re-run
                finish(command, CommandExecutor.Outcome.failed("interrupted",
                        "The worker carrying out the command stopped before it finished"), fields);
                delete(url, message);
            } else {
                LOG.info("command being carried out elsewhere; looking again later", fields);
            }
            return;
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
        delete(url, message);
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
        ObjectNode details = Json.object().put("commandId", command.commandId()).put("type", command.type().wireName())
                .put("outcome", outcome.ok() ? "done" : "failed").put("code", outcome.code());
        try {
            calls.appendEvent(callId, "command", details, now);
        } catch (RuntimeException e) {
            LOG.warn("command event not recorded", with(fields, "error", JsonLog.describe(e)));
        }
        LOG.info("command finished", with(fields, "outcome", outcome.ok() ? "done" : "failed", "code", outcome.code()));
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
