package ai.phoneagent.control.commands;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.EndReason;
import ai.phoneagent.call.WorkerHeartbeats;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.CommandType;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.CallsOutcome;
import ai.phoneagent.tools.TransferConfig;
import ai.phoneagent.tools.TransferMode;
import ai.phoneagent.tools.TransferTarget;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The commands the control side carries out itself, as Calls API requests that need no WebSocket: every hang-up
 * (when the control side has an OpenAI key), whoever holds the call, and the cold transfer of a call no worker holds
 * (never attached, orphaned, stuck, or its owner silent). Whether the owner is silent is read from its heartbeat
 * ({@link #ownerGone}): no record, taken over, or more than {@value WorkerHeartbeats#MISSED_BEATS} of its beat
 * intervals late. A command is taken first (stored taken, or {@link CommandStore#claimExecution} as
 * {@value #EXECUTOR}), so a worker that picks it up late finds it taken and never runs it a second time. A hang-up
 * OpenAI accepts (or answers 404: already over) ends the call with the operator's reason; one it refuses leaves the
 * call as it was and fails the command with {@code upstream_error}.
 */
public final class CallsApiCommands {
    /** The executor name on commands the control side carried out. */
    public static final String EXECUTOR = "control";
    private static final JsonLog LOG = JsonLog.forComponent("control-lambda");

    private final CallStore calls;
    private final CommandStore commands;
    private final CallsClient openAi;
    private final TransferConfig transfer;
    private final Clock clock;
    private final WorkerHeartbeats heartbeats;

    public CallsApiCommands(CallStore calls, CommandStore commands, CallsClient openAi, TransferConfig transfer, Clock clock) {
        this.heartbeats = new WorkerHeartbeats(calls.client(), calls.tableName());
        this.calls = calls;
        this.commands = commands;
        this.openAi = openAi;
        this.transfer = transfer;
        this.clock = clock;
    }

    /** Whether the control side can carry this command out without a worker: a hang-up, or a cold transfer. */
    public boolean handles(CommandType type, ObjectNode args) {
        return switch (type) {
            case HANGUP -> true;
            case TRANSFER -> coldTarget(args).isPresent();
            case INSTRUCTIONS -> false;
        };
    }

    /**
     * Whether no live worker will take a command for a call owned by {@code owner}: there is no owner, its heartbeat
     * record is missing or taken over, or it has missed beats. A worker that cannot write its beat cannot claim the
     * command either, so the control side may act at once. A heartbeat that cannot be read counts as alive (the
     * request then waits the ack window as usual).
     */
    public boolean ownerGone(String owner) {
        if (owner == null || owner.isBlank()) {
            return true;
        }
        Optional<WorkerHeartbeats.Heartbeat> beat;
        try {
            beat = heartbeats.get(owner);
        } catch (SdkException e) {
            LOG.warn("owner heartbeat not read; waiting for the owner", Map.of("worker_id", owner,
                    "error", JsonLog.describe(e)));
            return false;
        }
        return gone(beat, clock.instant());
    }

    /** The judgement of {@link #ownerGone} on a heartbeat as read. */
    static boolean gone(Optional<WorkerHeartbeats.Heartbeat> beat, Instant now) {
        return beat.isEmpty() || !beat.get().beatingOnTime(now);
    }

    /**
     * Claims and carries out the command; returns it as it stands afterwards (DONE or FAILED, or unchanged when a
     * worker took it first).
     */
    public Command execute(Command command) {
        Optional<CommandStore.ExecutionClaim> claim = commands.claimExecution(command.callId(), command.commandId(),
                EXECUTOR, clock.instant());
        if (claim.isEmpty() || !claim.get().claimed()) {
            return commands.get(command.callId(), command.commandId()).orElse(command);
        }
        ObjectNode args = command.args() == null ? Json.object() : command.args();
        switch (command.type()) {
            case HANGUP -> hangUp(command, CompletableFuture.completedFuture(true));
            case TRANSFER -> refer(command, args);
            case INSTRUCTIONS -> commands.fail(command.callId(), command.commandId(),
                    "call_not_ready", "Instructions need a worker on the call", clock.instant());
        }
        return commands.get(command.callId(), command.commandId()).orElse(command);
    }

    /** The end reason a hang-up command asks for: its {@code reason} when that is a code, else {@code operator_hangup}. */
    public static String reasonOf(Command command) {
        return EndReason.codeOr(text(command.args(), "reason"), EndReason.OPERATOR_HANGUP).code();
    }

    /**
     * Sends a taken hang-up command to OpenAI and records its outcome; returns the command as it stands afterwards.
     * {@code ownerless} says (once known) whether no live worker holds the call: then nobody else will store its end,
     * so this does ({@code ENDED} with the command's reason). A live owner sees its socket close and stores the end
     * itself, with the command's reason from the call's control hang-up mark; when OpenAI refuses the hang-up or says the
     * call was already over, that mark is taken back, so the end the owner then sees is stored as what it is.
     */
    public HangUp hangUp(Command command, CompletableFuture<Boolean> ownerless) {
        String reason = reasonOf(command);
        CallsOutcome outcome;
        try {
            outcome = openAi.hangup(command.callId());
        } catch (RuntimeException e) {
            ownerless.exceptionally(x -> false).join(); // never leaves its read running past the request
            throw e;
        }
        boolean nobodyElse = ownerless.join();
        LOG.info("hang-up at the control side", Map.of("call_id", command.callId(), "command_id", command.commandId(),
                "outcome", outcome.getClass().getSimpleName(), "owner_live", !nobodyElse));
        switch (outcome) {
            case CallsOutcome.Done d -> ended(command, reason, nobodyElse, "Hang-up started");
            case CallsOutcome.Gone g -> {
                if (!nobodyElse) {
                    unmark(command); // the call was over before this hang-up: its owner stores how it ended
                }
                ended(command, reason, nobodyElse, "The call had already ended");
            }
            case CallsOutcome.Refused r -> {
                unmark(command);
                commands.fail(command.callId(), command.commandId(), "upstream_error",
                        "OpenAI refused the hang-up: " + r.message(), clock.instant());
            }
            // the hang-up may have taken effect all the same: the mark stays, and lapses unless the call ends soon
            case CallsOutcome.Unavailable u -> commands.fail(command.callId(), command.commandId(),
                    "upstream_error", "OpenAI was unavailable: " + u.reason(), clock.instant());
        }
        return new HangUp(commands.get(command.callId(), command.commandId()).orElse(command),
                outcome instanceof CallsOutcome.Done, !nobodyElse);
    }

    /**
     * What {@link #hangUp} did: the command as it stands after it, whether OpenAI took the hang-up (200), and whether
     * a live owner holds the call (so the owner, not this, stores its end).
     */
    public record HangUp(Command command, boolean accepted, boolean ownerHolds) {
    }

    private void unmark(Command command) {
        try {
            calls.clearControlHangup(command.callId(), command.commandId());
        } catch (SdkException e) {
            LOG.warn("control hang-up mark not cleared; it lapses by itself", Map.of("call_id", command.callId(),
                    "command_id", command.commandId(), "error", JsonLog.describe(e)));
        }
    }

    private void ended(Command command, String reason, boolean storeEnd, String message) {
        if (storeEnd) {
            calls.markEnded(command.callId(), reason, clock.instant()); // false: it had ended meanwhile; fine
        }
        appendEvent(command, Json.object().put("reason", reason).put("executedBy", EXECUTOR).put("outcome", "done"));
        commands.complete(command.callId(), command.commandId(), Json.object().put("ok", true).put("code", "done")
                .put("message", message).put("reason", reason).put("executedBy", EXECUTOR), clock.instant());
    }

    private void refer(Command command, ObjectNode args) {
        TransferTarget target = coldTarget(args).orElseThrow();
        CallsOutcome outcome = openAi.refer(command.callId(), target.uri());
        LOG.info("cold transfer without a worker", Map.of("call_id", command.callId(), "command_id", command.commandId(),
                "target", target.name(), "outcome", outcome.getClass().getSimpleName()));
        switch (outcome) {
            case CallsOutcome.Done d -> {
                appendEvent(command, Json.object().put("target", target.name()).put("mode", "cold")
                        .put("executedBy", EXECUTOR));
                commands.complete(command.callId(), command.commandId(), Json.object().put("ok", true).put("code", "done")
                        .put("message", "Transfer to " + target.name() + " started").put("target", target.name())
                        .put("mode", "cold").put("executedBy", EXECUTOR), clock.instant());
            }
            case CallsOutcome.Gone g -> {
                calls.markEnded(command.callId(), "caller_hangup", clock.instant());
                commands.fail(command.callId(), command.commandId(), "call_ended", "The call had already ended", clock.instant());
            }
            case CallsOutcome.Refused r -> commands.fail(command.callId(), command.commandId(),
                    "upstream_error", "OpenAI refused the transfer: " + r.message(), clock.instant());
            case CallsOutcome.Unavailable u -> commands.fail(command.callId(), command.commandId(),
                    "upstream_error", "OpenAI was unavailable: " + u.reason(), clock.instant());
        }
    }

    private void appendEvent(Command command, ObjectNode details) {
        try {
            calls.appendEvent(command.callId(), "command", details.put("commandId", command.commandId())
                    .put("type", command.type().wireName()), clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("command event not recorded", Map.of("call_id", command.callId(), "error", JsonLog.describe(e)));
        }
    }

    /** The transfer's target when it resolves and goes cold (by its own mode or the request's). */
    private Optional<TransferTarget> coldTarget(ObjectNode args) {
        Optional<TransferTarget> target = transfer.resolve(text(args, "target"));
        String mode = text(args, "mode");
        TransferMode effective;
        try {
            effective = mode == null || mode.isBlank() ? target.map(TransferTarget::mode).orElse(TransferMode.WARM)
                    : TransferMode.parse(mode);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return effective == TransferMode.COLD ? target : Optional.empty();
    }

    private static String text(JsonNode args, String field) {
        JsonNode value = args == null ? null : args.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
