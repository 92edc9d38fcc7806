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
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Hang-up and cold transfer of a call that no worker holds (never attached, orphaned, stuck, or its owner silent):
 * both are Calls API requests that need no WebSocket, so the control side makes them itself. Whether the owner is
 * silent is read from its heartbeat ({@link #ownerGone}): no record, taken over, or more than
 * {@value WorkerHeartbeats#MISSED_BEATS} of its beat intervals late. The command is claimed
 * first ({@link CommandStore#claimExecution} as {@value #EXECUTOR}), so a worker that picks it up late finds it taken
 * and never runs it a second time. A hang-up OpenAI accepts (or answers 404: already over) ends the call with the
 * operator's reason; one it refuses leaves the call as it was and fails the command with {@code upstream_error}.
 */
public final class OwnerlessCommands {
    /** The executor name on commands the control side carried out. */
    public static final String EXECUTOR = "control";
    private static final JsonLog LOG = JsonLog.forComponent("control-lambda");

    private final CallStore calls;
    private final CommandStore commands;
    private final CallsClient openAi;
    private final TransferConfig transfer;
    private final Clock clock;
    private final WorkerHeartbeats heartbeats;

    public OwnerlessCommands(CallStore calls, CommandStore commands, CallsClient openAi, TransferConfig transfer, Clock clock) {
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
            case HANGUP -> hangup(command, args);
            case TRANSFER -> refer(command, args);
            case INSTRUCTIONS -> commands.fail(command.callId(), command.commandId(),
                    "call_not_ready", "Instructions need a worker on the call", clock.instant());
        }
        return commands.get(command.callId(), command.commandId()).orElse(command);
    }

    private void hangup(Command command, ObjectNode args) {
        String reason = EndReason.codeOr(text(args, "reason"), EndReason.OPERATOR_HANGUP).code();
        CallsOutcome outcome = openAi.hangup(command.callId());
        LOG.info("hang-up without a worker", Map.of("call_id", command.callId(), "command_id", command.commandId(),
                "outcome", outcome.getClass().getSimpleName()));
        switch (outcome) {
            case CallsOutcome.Done d -> ended(command, reason, "Hang-up started");
            case CallsOutcome.Gone g -> ended(command, reason, "The call had already ended");
            case CallsOutcome.Refused r -> commands.fail(command.callId(), command.commandId(),
                    "upstream_error", "OpenAI refused the hang-up: " + r.message(), clock.instant());
            case CallsOutcome.Unavailable u -> commands.fail(command.callId(), command.commandId(),
                    "upstream_error", "OpenAI was unavailable: " + u.reason(), clock.instant());
        }
    }

    private void ended(Command command, String reason, String message) {
        calls.markEnded(command.callId(), reason, clock.instant()); // false: it had ended meanwhile; fine
        appendEvent(command, Json.object().put("reason", reason).put("executedBy", EXECUTOR));
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
