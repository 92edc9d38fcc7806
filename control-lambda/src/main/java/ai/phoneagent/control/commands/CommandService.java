package ai.phoneagent.control.commands;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandDispatch;
import ai.phoneagent.command.CommandStatus;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.CommandType;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.command.ControlMessage;
import ai.phoneagent.command.Nudge;
import ai.phoneagent.concurrent.Beside;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ErrorCode;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.logging.LogContext;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Carries out operator commands: a hang-up is sent to OpenAI here ({@link #hangUpHere}); any other command is stored,
 * put on the call's control queue for its worker, and waited for a bounded time until the worker marks it DONE or
 * FAILED. An idempotency key maps a retried request to the first command, which is never sent twice.
 */
public final class CommandService {
    /** A pending command never marked sent and older than this was stranded by a request that died; a retry sends it. */
    public static final Duration STRANDED_AFTER = Duration.ofSeconds(30);
    /** The reason stored on a command that could not be put on the queue. */
    public static final String DISPATCH_FAILED = "worker_unavailable: the command could not be put on the call's control queue";
    /** Left of the Lambda's remaining time for answering after the wait. */
    static final Duration ANSWER_MARGIN = Duration.ofMillis(750);
    private static final Set<CallStatus> NOT_YET_ATTACHED = EnumSet.of(CallStatus.RECEIVED, CallStatus.ACCEPTED,
            CallStatus.QUEUED, CallStatus.ORPHANED);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JsonLog LOG = JsonLog.forComponent("control-lambda");
    /** The name of the threads that run a request's second AWS round trip beside its own. */
    private static final String BESIDE = "control-beside";

    private final CallStore calls;
    private final CommandStore commands;
    private final CommandDispatch dispatch;
    private final ControlQueues queues;
    private final Clock clock;
    private final Duration ackTimeout;
    private final AckWait wait;
    private final Supplier<String> ids;
    private final TransferGuard transferGuard;
    private final Optional<CallsApiCommands> callsApi;

    public CommandService(CallStore calls, CommandStore commands, CommandDispatch dispatch, ControlQueues queues,
                          Clock clock, Duration ackTimeout, AckWait wait, Supplier<String> ids) {
        this(calls, commands, dispatch, queues, clock, ackTimeout, wait, ids, Optional.empty());
    }

    /**
     * @param callsApi every hang-up, and the cold transfer of calls no worker takes the command of, sent to OpenAI by
     *                 the control side (empty: without {@code OPENAI_API_KEY}, hang-ups go to the owner, and commands
     *                 for calls without one answer 409 {@code call_not_ready} / 202)
     */
    public CommandService(CallStore calls, CommandStore commands, CommandDispatch dispatch, ControlQueues queues,
                          Clock clock, Duration ackTimeout, AckWait wait, Supplier<String> ids,
                          Optional<CallsApiCommands> callsApi) {
        this.callsApi = callsApi;
        this.calls = calls;
        this.commands = commands;
        this.dispatch = dispatch;
        this.queues = queues;
        this.clock = clock;
        this.ackTimeout = ackTimeout;
        this.wait = wait;
        this.ids = ids;
        this.transferGuard = new TransferGuard(calls, commands);
    }

    /** A fresh command id: {@code cmd_} and 24 random hex digits. */
    public static String newCommandId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return "cmd_" + HexFormat.of().formatHex(bytes);
    }

    /** The command as it stands after the request, and whether it was found by its idempotency key. */
    public record Outcome(Command command, boolean replayed) {
    }

    /**
     * Creates and sends a command, then waits up to the ack timeout (less when {@code remaining}, the Lambda's time
     * left, is shorter). Throws {@link ApiError} for unknown (404), ended or unattached calls (409), reused keys
     * (409) and an unreachable queue (503).
     */
    public Outcome submit(String callId, CommandType type, ObjectNode args, String idempotencyKey, Duration remaining) {
        Duration maxWait = ackTimeout;
        if (remaining != null) {
            Duration usable = remaining.minus(ANSWER_MARGIN);
            maxWait = usable.isNegative() ? Duration.ZERO : (usable.compareTo(maxWait) < 0 ? usable : maxWait);
        }
        return send(callId, type, args, idempotencyKey, maxWait);
    }

    /** Creates and sends a command without waiting for the worker (e.g. from a Twilio callback). */
    public Outcome sendWithoutWaiting(String callId, CommandType type, ObjectNode args, String idempotencyKey) {
        return send(callId, type, args, idempotencyKey, Duration.ZERO);
    }

    private Outcome send(String callId, CommandType type, ObjectNode args, String idempotencyKey, Duration maxWait) {
        if (idempotencyKey != null) {
            Optional<Command> earlier = dispatch.commandIdForKey(callId, idempotencyKey)
                    .flatMap(id -> commands.get(callId, id));
            if (earlier.isPresent()) {
                return replay(earlier.get(), type, maxWait);
            }
        }
        if (type == CommandType.HANGUP && callsApi.isPresent()) {
            return hangUpHere(Command.pending(callId, ids.get(), type, args, idempotencyKey, clock.instant()),
                    callsApi.get(), maxWait);
        }
        CallRecord call = calls.get(callId).orElseThrow(CommandService::callNotFound);
        LogContext.identify(callId, call.traceId()); // this request's lines, and the command message, join the call's trace
        if (call.status().isTerminal()) {
            throw new ApiError(409, ErrorCode.CALL_ENDED, "The call has ended");
        }
        Optional<CallsApiCommands> fallback = callsApi.filter(o -> o.handles(type, args));
        Optional<String> queueUrl = resolveQueue(call);
        if (queueUrl.isEmpty() && fallback.isEmpty()) {
            throw new ApiError(409, ErrorCode.CALL_NOT_READY, "No worker has attached to the call yet; try again shortly");
        }
        Command command = Command.pending(callId, ids.get(), type, args, idempotencyKey, clock.instant());
        if (type == CommandType.TRANSFER) {
            Optional<Command> concurrent = guardTransfer(command);
            if (concurrent.isPresent()) {
                return replay(concurrent.get(), type, maxWait);
            }
        }
        // whether the owner is gone is read beside the command's write, and the call's queue made beside both for the
        // call's first command: all are needed before anything is sent
        CompletableFuture<Boolean> ownerGoneNow = queueUrl.isPresent() && fallback.isPresent()
                ? Beside.start(BESIDE, () -> fallback.get().ownerGone(call.owner()))
                : CompletableFuture.completedFuture(false);
        CompletableFuture<Boolean> opened = queueUrl.isPresent() && !call.controlQueueMayExist()
                ? open(callId, queueUrl.get()) : CompletableFuture.completedFuture(true);
        CommandStore.Created created;
        try {
            created = commands.create(command);
        } finally {
            // never leaves a request of its own running after this one
            ownerGoneNow.exceptionally(e -> false).join();
            opened.exceptionally(e -> false).join();
        }
        if (!created.created()) {
            if (type == CommandType.TRANSFER) {
                transferGuard.release(callId, command.commandId());
            }
            return replay(created.command(), type, maxWait); // a concurrent request with the same key won
        }
        if (queueUrl.isEmpty()) {
            // no worker holds the call (not yet, or no more): a hang-up or cold transfer needs none
            return new Outcome(fallback.get().execute(command), false);
        }
        if (ownerGoneNow.join()) {
            // orphaned, or its owner stopped beating: nobody will take the command, so waiting the ack window is waste
            LOG.warn("the call's owner is gone; carrying the command out without it", Map.of("call_id", callId,
                    "command_id", command.commandId(), "type", type.wireName(), "worker_id", String.valueOf(call.owner())));
            return new Outcome(fallback.get().execute(command), false);
        }
        awaitOpened(command, queueUrl.get(), opened);
        put(command, queueUrl.get(), call.owner());
        AtomicBoolean ownerGone = new AtomicBoolean();
        BooleanSupplier stopWaiting = fallback.isEmpty() ? () -> false
                : ownerStopsBeating(fallback.get(), call.owner(), ownerGone);
        Command latest = await(command, maxWait, stopWaiting);
        // with no ack window at all (CONTROL_ACK_TIMEOUT_MS=0) a live owner is left to do it: the answer is 202
        if (latest.status() == CommandStatus.PENDING && fallback.isPresent() && (maxWait.isPositive() || ownerGone.get())) {
            // no live owner took it within the ack window, or it stopped beating meanwhile: do it here; the claim
            // keeps a late worker from running it
            LOG.warn("no worker took the command in time; carrying it out without one", Map.of("call_id", callId,
                    "command_id", command.commandId(), "type", type.wireName(), "owner_gone", ownerGone.get()));
            latest = fallback.get().execute(latest);
        }
        return new Outcome(latest, false);
    }

    /**
     * A hang-up carried out here, whoever holds the call: an operator's hang-up is one Calls API request, so sending
     * it to the owner first (a nudge, its claim) would only add round trips. One transaction stores the command already
     * taken by the control side and marks the call (refused when the call has ended or does not exist), while the call
     * is read beside it (for its owner and trace, and to tell 404 from 409); then OpenAI is asked. The call's owner sees
     * its socket close and stores the end with the mark's reason; whether there is a live owner at all is read beside
     * OpenAI's request.
     */
    private Outcome hangUpHere(Command command, CallsApiCommands here, Duration maxWait) {
        String callId = command.callId();
        CompletableFuture<Optional<CallRecord>> read = Beside.start(BESIDE, () -> calls.get(callId));
        CommandStore.Taking taking;
        try {
            taking = commands.createTaken(command, CallsApiCommands.EXECUTOR, calls.controlHangupMark(callId,
                    command.commandId(), CallsApiCommands.reasonOf(command), clock.instant()));
        } catch (RuntimeException e) {
            read.exceptionally(x -> Optional.empty()).join(); // never leaves its read running past the request
            throw e;
        }
        Optional<CallRecord> call;
        try {
            call = Beside.join(read, "call read");
        } catch (SdkException e) {
            if (!(taking instanceof CommandStore.Taking.Stored)) {
                throw e; // whether the call is unknown or over is what failed to be read
            }
            call = Optional.empty(); // the transaction vouched for the call; its owner is unknown: the ack window decides
            LOG.warn("call not read beside its hang-up", Map.of("call_id", callId, "error", JsonLog.describe(e)));
        }
        call.ifPresent(c -> LogContext.identify(callId, c.traceId()));
        return switch (taking) {
            case CommandStore.Taking.Stored stored -> {
                String owner = call.map(CallRecord::owner).filter(o -> !o.isBlank()).orElse(null);
                // no owner: nobody else stores the end; an owner not read: the ack window tells
                CompletableFuture<Boolean> ownerGone = owner == null ? CompletableFuture.completedFuture(call.isPresent())
                        : Beside.start(BESIDE, () -> here.ownerGone(owner));
                CallsApiCommands.HangUp done = here.hangUp(command, ownerGone);
                if (done.command().status() == CommandStatus.DONE && done.ownerHolds()) {
                    // the owner is told, so it ends the call when its socket closes rather than re-attaching to learn it
                    String queueUrl = call.map(CallRecord::controlQueueUrl).orElse(null);
                    CompletableFuture<Boolean> told = done.accepted() && queueUrl != null
                            ? Beside.start(BESIDE, () -> tellHungUp(done.command(), queueUrl, owner))
                            : CompletableFuture.completedFuture(false);
                    try {
                        awaitOwnersEnd(callId, owner, done.command(), here, maxWait);
                    } finally {
                        told.join();
                    }
                }
                yield new Outcome(done.command(), false);
            }
            case CommandStore.Taking.Duplicate duplicate -> replay(duplicate.earlier(), command.type(), maxWait);
            case CommandStore.Taking.Refused refused -> throw call.isPresent()
                    ? new ApiError(409, ErrorCode.CALL_ENDED, "The call has ended") : callNotFound();
        };
    }

    /** Whether the owner was told of the hang-up; a failure is logged (the owner then re-attaches to learn it). */
    private boolean tellHungUp(Command command, String queueUrl, String owner) {
        try {
            queues.nudge(queueUrl, owner, command.callId(), new Nudge.HungUp(command.commandId(),
                    CallsApiCommands.reasonOf(command)));
            return true;
        } catch (SdkException e) {
            LOG.warn("owner not told of the hang-up; it learns of it by re-attaching", Map.of("call_id",
                    command.callId(), "command_id", command.commandId(), "worker_id", owner,
                    "error", JsonLog.describe(e)));
            return false;
        }
    }

    /**
     * After a hang-up OpenAI took, waits (the ack window at most) for the call's owner to store the end it saw, and
     * stores it here when the owner does not: one that died just before (its heartbeat still fresh) never will, and
     * its stopping beating ends the wait early. With no ack window at all, the end is left to the owner.
     */
    private void awaitOwnersEnd(String callId, String owner, Command done, CallsApiCommands here, Duration maxWait) {
        if (!maxWait.isPositive()) {
            return;
        }
        AtomicBoolean gone = new AtomicBoolean();
        BooleanSupplier ownerGone = owner == null ? () -> false : ownerStopsBeating(here, owner, gone);
        AtomicBoolean stored = new AtomicBoolean();
        wait.until(maxWait, () -> {
            try {
                stored.set(calls.get(callId).map(c -> c.status().isTerminal()).orElse(true));
            } catch (SdkException e) {
                LOG.warn("could not read the call's status", Map.of("call_id", callId,
                        "error", JsonLog.describe(e)));
            }
            return stored.get() || ownerGone.getAsBoolean();
        });
        if (stored.get()) {
            return;
        }
        String reason = CallsApiCommands.reasonOf(done);
        try {
            if (calls.markEnded(callId, reason, clock.instant())) {
                LOG.warn("the call's owner did not store the end of the hang-up; stored it here", Map.of(
                        "call_id", callId, "command_id", done.commandId(),
                        "worker_id", String.valueOf(owner), "reason", reason, "owner_gone", gone.get()));
            }
        } catch (SdkException e) {
            // the hang-up is done; a worker taking the call over sees it over and stores the end
            LOG.warn("could not store the end of the hang-up", Map.of("call_id", callId,
                    "error", JsonLog.describe(e)));
        }
    }

    /**
     * Takes the call's transfer guard for this command. When another transfer holds it, a request carrying the
     * holder's Idempotency-Key (a concurrent retry of it) gets the holder's command to replay; any other gets 409.
     */
    private Optional<Command> guardTransfer(Command command) {
        try {
            transferGuard.acquire(command.callId(), command.commandId(), clock.instant());
            return Optional.empty();
        } catch (ApiError busy) {
            Optional<String> holder = transferGuard.holder(command.callId());
            if (command.idempotencyKey() == null || holder.isEmpty()) {
                throw busy;
            }
            // the holder may have taken the guard a moment before storing its command
            AtomicReference<Command> held = new AtomicReference<>();
            BooleanSupplier stored = () -> {
                commands.get(command.callId(), holder.get()).ifPresent(held::set);
                return held.get() != null;
            };
            if (!stored.getAsBoolean()) {
                wait.until(TransferGuard.STORE_GRACE, stored);
            }
            if (held.get() == null || !command.idempotencyKey().equals(held.get().idempotencyKey())) {
                throw busy;
            }
            return Optional.of(held.get());
        }
    }

    private Outcome replay(Command earlier, CommandType type, Duration maxWait) {
        if (earlier.type() != type) {
            throw new ApiError(409, ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key was used for a different command on this call")
                    .with("command_id", earlier.commandId());
        }
        if (earlier.status() != CommandStatus.PENDING) {
            return new Outcome(earlier, true);
        }
        if (type == CommandType.HANGUP && callsApi.isPresent()) {
            return new Outcome(retryHangUp(earlier, maxWait), true);
        }
        if (dispatch.claimStranded(earlier.callId(), earlier.commandId(), clock.instant(), STRANDED_AFTER)) {
            // the first request stored the command but died before sending it: finish its job, once
            LOG.warn("sending stranded command", Map.of("call_id", earlier.callId(), "command_id", earlier.commandId()));
            Optional<CallRecord> call = calls.get(earlier.callId());
            call.ifPresent(c -> LogContext.identify(c.callId(), c.traceId()));
            if (call.isEmpty() || call.get().status().isTerminal()) {
                commands.fail(earlier.callId(), earlier.commandId(), "the call ended before the command was sent",
                        clock.instant());
                return new Outcome(commands.get(earlier.callId(), earlier.commandId()).orElse(earlier), true);
            }
            String url = queueUrlOrFail(earlier, call.get());
            if (!call.get().controlQueueMayExist()) {
                awaitOpened(earlier, url, open(earlier.callId(), url));
            }
            put(earlier, url, call.get().owner());
        }
        return new Outcome(await(earlier, maxWait), true);
    }

    /**
     * A retry of a hang-up request: waits for the first one's outcome; when the first request died before OpenAI
     * answered it (still pending after {@link #STRANDED_AFTER}), renews the call's hang-up mark and asks again: a
     * second hang-up of a call is harmless (404 once it is over), and the retry records the outcome.
     */
    private Command retryHangUp(Command earlier, Duration maxWait) {
        if (clock.instant().isBefore(earlier.requestedAt().plus(STRANDED_AFTER))) {
            return await(earlier, maxWait); // the first request may still be waiting for OpenAI
        }
        LOG.warn("hang-up left pending by a request that died; asking OpenAI again", Map.of(
                "call_id", earlier.callId(), "command_id", earlier.commandId()));
        if (!calls.markControlHangup(earlier.callId(), earlier.commandId(), CallsApiCommands.reasonOf(earlier),
                clock.instant())) {
            commands.fail(earlier.callId(), earlier.commandId(), ErrorCode.CALL_ENDED, "The call has ended",
                    clock.instant());
            return commands.get(earlier.callId(), earlier.commandId()).orElse(earlier);
        }
        Optional<CallRecord> call = calls.get(earlier.callId());
        boolean ownerGone = call.isEmpty() || callsApi.orElseThrow().ownerGone(call.get().owner());
        return callsApi.orElseThrow().hangUp(earlier, CompletableFuture.completedFuture(ownerGone)).command();
    }

    private String queueUrlOrFail(Command command, CallRecord call) {
        Optional<String> url = resolveQueue(call);
        if (url.isEmpty()) {
            failDispatch(command);
            throw workerUnavailable(command.commandId());
        }
        return url.get();
    }

    /**
     * Where the call's commands go: the control queue URL its claim recorded (derived by the worker; the queue itself
     * exists only once a command was sent, see {@link #open}). Empty for a call no worker ever attached.
     */
    private Optional<String> resolveQueue(CallRecord call) {
        if (call.controlQueueUrl() != null && !call.controlQueueUrl().isBlank()) {
            return Optional.of(call.controlQueueUrl());
        }
        if (NOT_YET_ATTACHED.contains(call.status())) {
            return Optional.empty();
        }
        // attached by a worker that had no URL to record (its nudge queue not made yet): make the queue to learn it
        return Optional.of(queues.create(call.callId()));
    }

    /**
     * Makes the call's control queue for its first command, side by side: the queue (idempotent) and the call's record
     * of it ({@code controlQueueMadeAt}, only while the call has not ended), so the owner reads it at attach and cleans
     * it up at the end only when a command was ever sent. True once recorded; false when the call had ended. A queue
     * that could not be made fails the send that follows (handled there); a record that could not be written throws.
     */
    private CompletableFuture<Boolean> open(String callId, String queueUrl) {
        CompletableFuture<Void> made = Beside.start(BESIDE, () -> {
            try {
                queues.create(callId);
            } catch (SdkException e) {
                LOG.warn("control queue not made", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            }
            return null;
        });
        CompletableFuture<Boolean> recorded = Beside.start(BESIDE,
                () -> calls.recordControlQueue(callId, queueUrl, clock.instant()));
        return made.thenCombine(recorded, (ignored, ok) -> ok);
    }

    /**
     * Waits for {@link #open}: the call ended meanwhile fails the command {@code call_ended} (409, the queue made for it
     * deleted); a record that failed fails it as not sent (the store's error goes on to the caller).
     */
    private void awaitOpened(Command command, String queueUrl, CompletableFuture<Boolean> opened) {
        boolean recorded;
        try {
            recorded = opened.join();
        } catch (java.util.concurrent.CompletionException e) {
            failDispatch(command);
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        if (!recorded) {
            commands.fail(command.callId(), command.commandId(), ErrorCode.CALL_ENDED, "The call has ended",
                    clock.instant());
            try {
                queues.deleteQueue(queueUrl); // its owner's end saw no queue to delete
            } catch (SdkException e) {
                LOG.warn("control queue not deleted; the sweep deletes it", Map.of("call_id", command.callId(),
                        "error", JsonLog.describe(e)));
            }
            throw new ApiError(409, ErrorCode.CALL_ENDED, "The call has ended").with("command_id", command.commandId());
        }
    }

    /**
     * Puts the command on the call's queue and, at the same time, nudges the call's owner with the command (one
     * message on the owner's nudge queue, which it long-polls), so the owner carries it out without reading the call's
     * queue first; then marks the command sent. The nudge is best effort: the call's queue keeps the durable copy,
     * which the owner's safety sweep, or the next owner's read at attach, finds (and finds already done when the nudge
     * did its work: the execution claim admits one run per command id). The mark comes last because only a retry of a
     * request that died before it reads it (a command never marked sent is re-sent once by
     * {@link CommandDispatch#claimStranded}, and only while still pending).
     */
    private void put(Command command, String queueUrl, String owner) {
        ControlMessage message = command.message();
        CompletableFuture<Boolean> nudged = owner == null || owner.isBlank()
                ? CompletableFuture.completedFuture(false) // attached calls have an owner; without one the next owner's read at attach finds the command
                : Beside.start(BESIDE, () -> nudge(command, message, queueUrl, owner));
        String messageId;
        try {
            messageId = queues.send(queueUrl, message);
        } catch (SdkException e) {
            LOG.warn("control queue send failed", Map.of("call_id", command.callId(),
                    "command_id", command.commandId(), "error", JsonLog.describe(e)));
            if (nudged.join()) {
                // the owner has the command from its nudge and may be carrying it out: failing it here could contradict
                // what it does. It stays pending and unmarked: the owner, the ack window's fallback or a retry finish it
                LOG.warn("command reached its owner by the nudge only", Map.of("call_id", command.callId(),
                        "command_id", command.commandId(), "worker_id", owner));
                return;
            }
            failDispatch(command);
            throw workerUnavailable(command.commandId());
        }
        try {
            dispatch.markSent(command.callId(), command.commandId(), messageId, clock.instant());
        } catch (SdkException e) {
            // the message is on the queue; the marker only matters if this request dies and is retried
            LOG.warn("could not mark command sent", Map.of("call_id", command.callId(),
                    "command_id", command.commandId(), "error", JsonLog.describe(e)));
        } finally {
            nudged.join();
        }
    }

    /** Whether the owner was nudged; a failure is logged and left to the safety sweep. */
    private boolean nudge(Command command, ControlMessage message, String queueUrl, String owner) {
        try {
            queues.nudge(queueUrl, owner, command.callId(), message);
            return true;
        } catch (SdkException e) {
            LOG.warn("worker not nudged; its safety sweep finds the command", Map.of("call_id", command.callId(),
                    "command_id", command.commandId(), "worker_id", owner,
                    "queue", queues.nudgeQueueName(owner), "error", JsonLog.describe(e)));
            return false;
        }
    }

    private void failDispatch(Command command) {
        try {
            commands.fail(command.callId(), command.commandId(), DISPATCH_FAILED, clock.instant());
        } catch (SdkException e) {
            LOG.warn("could not mark command failed", Map.of("call_id", command.callId(),
                    "command_id", command.commandId(), "error", JsonLog.describe(e)));
        }
    }

    /**
     * Polls the command until the worker finishes it or the wait ends. A failed read counts as "still pending": the
     * command is on the queue, so the answer must be 202 with its id, never an error that invites a second command.
     */
    private Command await(Command command, Duration maxWait) {
        return await(command, maxWait, () -> false);
    }

    /** As {@link #await(Command, Duration)}, also ending the wait (command still pending) once {@code stop} says so. */
    private Command await(Command command, Duration maxWait, BooleanSupplier stop) {
        AtomicReference<Command> latest = new AtomicReference<>(command);
        if (maxWait.isPositive()) {
            wait.until(maxWait, () -> {
                Optional<Command> now;
                try {
                    now = commands.get(command.callId(), command.commandId());
                } catch (SdkException e) {
                    LOG.warn("could not read command status", Map.of("call_id", command.callId(),
                            "command_id", command.commandId(), "error", JsonLog.describe(e)));
                    return false;
                }
                now.ifPresent(latest::set);
                return now.isPresent() && now.get().status() != CommandStatus.PENDING || stop.getAsBoolean();
            });
        }
        return latest.get();
    }

    /** {@code check} on every other call (the owner's heartbeat is read at half the rate the command is). */
    private static BooleanSupplier everyOther(BooleanSupplier check) {
        AtomicInteger calls = new AtomicInteger();
        return () -> calls.incrementAndGet() % 2 == 0 && check.getAsBoolean();
    }

    /**
     * For a wait's polls: whether {@code owner} has stopped beating, read on every other poll; the last judgement is
     * kept in {@code gone} (for the log line and the decision after the wait).
     */
    private static BooleanSupplier ownerStopsBeating(CallsApiCommands here, String owner, AtomicBoolean gone) {
        return everyOther(() -> {
            gone.set(here.ownerGone(owner));
            return gone.get();
        });
    }

    /** The command; 404 {@code call_not_found} or {@code command_not_found}. */
    public Command get(String callId, String commandId) {
        return commands.get(callId, commandId).orElseThrow(() -> calls.get(callId).isPresent()
                ? new ApiError(404, ErrorCode.COMMAND_NOT_FOUND, "No command with this id on this call")
                : callNotFound());
    }

    private static ApiError callNotFound() {
        return new ApiError(404, ErrorCode.CALL_NOT_FOUND, "No call with this id");
    }

    static ApiError workerUnavailable(String commandId) {
        return new ApiError(503, ErrorCode.WORKER_UNAVAILABLE,
                "The call's worker could not be reached; the command was not sent").with("command_id", commandId);
    }
}
