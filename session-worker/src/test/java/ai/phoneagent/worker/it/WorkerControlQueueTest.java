package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.longCall;
import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.GreetingState;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandStatus;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.CommandType;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.testing.Await;
import ai.phoneagent.worker.SessionWorker;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** The worker's side of operator commands: each call's control queue, over real SQS and DynamoDB APIs. */
@WithTestBed
class WorkerControlQueueTest {
    static final Map<String, String> COLD = Map.of("TRANSFER_MODE", "cold", "TRANSFER_TARGETS", "sales=+15550002222",
            "CONTROL_QUEUE_WAIT_SECONDS", "1");

    TestBed bed;
    ControlQueues queues;
    CommandStore commands;

    @BeforeEach
    void startBed() {
        queues = bed.controlQueues;
        commands = bed.commands;
    }

    /**
     * The call's control queue: its URL once the claim recorded it, made and recorded as made the way the control side
     * does for a call's first command (the worker never makes it).
     */
    private String awaitQueue(String callId) {
        bed.awaitStatus(callId, CallStatus.ATTACHED);
        // greeted and stored so: a hand-off before that would rightly greet the call again
        Await.until("the greeting stored", WAIT, () -> bed.call(callId).greeting() == GreetingState.SENT);
        return bed.openControlQueue(callId);
    }

    /** Stores a command, puts it on the call's queue and nudges the call's owner, as the control Lambda does. */
    private Command send(String callId, String queueUrl, CommandType type, ObjectNode args) {
        Command command = Command.pending(callId, "cmd_" + UUID.randomUUID().toString().replace("-", ""), type, args,
                null, Instant.now());
        commands.create(command);
        queues.send(queueUrl, command.message());
        try {
            String owner = bed.call(callId).owner();
            if (owner != null) {
                queues.nudge(queueUrl, owner, callId);
            }
        } catch (QueueDoesNotExistException e) {
            // the owner stopped (its nudge queue is gone): the next owner reads the call's queue when it attaches
        }
        return command;
    }

    private List<CallEvent> commandEvents(String callId, String commandId) {
        return bed.events(callId).stream().filter(e -> e.kind().equals("command")
                && e.details().path("commandId").asText().equals(commandId)).toList();
    }

    @Test
    void commands_on_the_calls_queue_run_once_each_even_when_delivered_twice() {
        SessionWorker worker = bed.startWorker(COLD);
        String callId = bed.placeCall(longCall());
        String url = awaitQueue(callId);
        assertThat(url).endsWith(bed.aws.controlQueuePrefix() + callId);
        Await.until("the call's queue is read", WAIT, () -> worker.controlQueuesPolled().contains(callId));

        Command instructions = send(callId, url, CommandType.INSTRUCTIONS,
                Json.object().put("text", "Offer a callback tomorrow.").put("respond", true));
        queues.send(url, instructions.message()); // SQS may deliver twice; a control retry may re-send
        queues.nudge(url, worker.workerId(), callId);
        Command done = bed.awaitFinished(instructions);
        assertThat(done.status()).isEqualTo(CommandStatus.DONE);
        assertThat(done.result().path("ok").asBoolean()).isTrue();
        assertThat(done.result().path("respond").asBoolean()).isTrue();
        bed.sim.awaitClientEvent(callId, "response.create", WAIT);
        Await.until("both deliveries consumed", WAIT, () -> bed.queueDepth(url) == 0
                && commandEvents(callId, instructions.commandId()).size() == 1);
        assertThat(bed.systemMessages(callId, "Offer a callback tomorrow.")).isEqualTo(1);
        CallEvent event = commandEvents(callId, instructions.commandId()).getFirst();
        assertThat(event.details().path("type").asText()).isEqualTo("instructions");
        assertThat(event.details().path("outcome").asText()).isEqualTo("done");

        Command transfer = send(callId, url, CommandType.TRANSFER, Json.object().put("target", "sales")
                .put("silent", true));
        Command transferred = bed.awaitFinished(transfer);
        assertThat(transferred.status()).isEqualTo(CommandStatus.DONE);
        assertThat(transferred.result().path("target").asText()).isEqualTo("sales");
        assertThat(transferred.result().path("mode").asText()).isEqualTo("cold");
        assertThat(bed.sim.call(callId).referTargets()).containsExactly("tel:+15550002222");

        Command refused = send(callId, url, CommandType.TRANSFER, Json.object().put("target", "+19005550199"));
        Command failed = bed.awaitFinished(refused);
        assertThat(failed.status()).isEqualTo(CommandStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("unknown_target");
        assertThat(failed.error()).doesNotStartWith("unknown_target");
        assertThat(bed.sim.call(callId).referTargets()).hasSize(1);

        Command hangup = send(callId, url, CommandType.HANGUP, Json.object().put("reason", "warm_transfer_complete"));
        assertThat(bed.awaitFinished(hangup).status()).isEqualTo(CommandStatus.DONE);
        CallRecord ended = bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("warm_transfer_complete");
        assertThat(bed.sim.requests(callId)).filteredOn(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP).hasSize(1);
        Await.until("the ended call's queue is deleted", WAIT, () -> queues.find(callId).isEmpty());
        Await.until("no longer polled", WAIT, () -> !worker.controlQueuesPolled().contains(callId));
    }

    @Test
    void invalid_and_unknown_messages_are_dropped_without_logging_their_payload() {
        bed.startWorker(COLD);
        String callId = bed.placeCall(longCall());
        String url = awaitQueue(callId);
        bed.aws.sqs().sendMessage(b -> b.queueUrl(url).messageBody("{\"secret-payload\": true"));
        queues.send(url, Command.pending(callId, "cmd_never_stored", CommandType.HANGUP, Json.object(), null,
                Instant.now()).message());
        Command after = send(callId, url, CommandType.INSTRUCTIONS, Json.object().put("text", "Be brief."));
        assertThat(bed.awaitFinished(after).status()).isEqualTo(CommandStatus.DONE);
        Await.until("queue empty", WAIT, () -> bed.queueDepth(url) == 0);
        assertThat(bed.logs()).contains("invalid control message dropped")
                .contains("control message for an unknown command dropped").doesNotContain("secret-payload");
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ATTACHED);
    }

    @Test
    void commands_still_pending_when_the_call_ends_fail_with_call_ended() {
        bed.startWorker(COLD);
        String callId = bed.placeCall(longCall());
        awaitQueue(callId);
        // stored but never sent (a control request that died in between)
        Command stranded = Command.pending(callId, "cmd_stranded_1", CommandType.INSTRUCTIONS,
                Json.object().put("text", "x"), null, Instant.now());
        commands.create(stranded);
        bed.sim.hangup(callId, true);
        assertThat(bed.awaitStatus(callId, CallStatus.ENDED).endReason()).isEqualTo("caller_hangup");
        Command failed = bed.awaitFinished(stranded);
        assertThat(failed.status()).isEqualTo(CommandStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("call_ended");
        assertThat(failed.error()).isEqualTo("The call has ended");
        Await.until("queue deleted", WAIT, () -> queues.find(callId).isEmpty());
    }

    @Test
    void a_handed_off_call_keeps_its_queue_and_the_next_owner_runs_what_was_sent_meanwhile() {
        SessionWorker first = bed.startWorker(COLD);
        String callId = bed.placeCall(longCall());
        String url = awaitQueue(callId);

        first.close(); // SIGTERM: the call is handed off, its queue stays
        assertThat(bed.call(callId).status()).isEqualTo(CallStatus.ORPHANED);
        assertThat(queues.find(callId)).contains(url);
        Command meanwhile = send(callId, url, CommandType.INSTRUCTIONS, Json.object().put("text", "Apologise for the wait."));

        SessionWorker second = bed.startWorker(COLD);
        Command done = bed.awaitFinished(meanwhile);
        assertThat(done.status()).isEqualTo(CommandStatus.DONE);
        CallRecord call = bed.call(callId);
        assertThat(call.owner()).isEqualTo(second.workerId());
        assertThat(call.controlQueueUrl()).isEqualTo(url);
        assertThat(bed.systemMessages(callId, "Apologise for the wait.")).isEqualTo(1);
        assertThat(bed.sim.clientEvents(callId).stream().filter(AwaitTarget.GREETING::matches).count()).isEqualTo(1);
    }
}
