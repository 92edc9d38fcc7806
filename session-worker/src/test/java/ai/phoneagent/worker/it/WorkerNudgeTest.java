package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.longCall;
import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallTable;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandStatus;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.CommandType;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.command.Nudge;
import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.testing.Await;
import ai.phoneagent.worker.SessionWorker;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.DeleteQueueRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * Commands reach an idle call through its worker's one nudge queue, not through a poll per call: the worker's SQS
 * requests are counted on the wire (an SDK interceptor on the client its control queues use), over ElasticMQ.
 */
@WithTestBed
class WorkerNudgeTest {
    /**
     * A one-second nudge poll (each of its receives is a tick the tests can await instead of sleeping), and a safety
     * sweep far beyond any test's length, so an idle window is evidence on however loaded a machine.
     */
    static final Map<String, String> ENV = Map.of("CONTROL_QUEUE_WAIT_SECONDS", "1", "CONTROL_SAFETY_SWEEP_MS", "600000");

    TestBed bed;
    ControlQueues queues;
    CommandStore commands;
    /** ReceiveMessage requests the worker made, by queue URL. */
    final Map<String, AtomicInteger> receives = new ConcurrentHashMap<>();
    SqsClient countingSqs;
    /** CreateQueue requests the worker made, by queue name. */
    final Map<String, AtomicInteger> creates = new ConcurrentHashMap<>();
    /** DeleteQueue requests the worker made, by queue URL. */
    final Map<String, AtomicInteger> queueDeletes = new ConcurrentHashMap<>();
    /** Queries for a call's commands ({@code CMD#} items) the worker made, by call key. */
    final Map<String, AtomicInteger> commandQueries = new ConcurrentHashMap<>();
    /** Execution claims the worker asked of the store ({@code UpdateItem} on a {@code CMD#} item), by command key. */
    final Map<String, AtomicInteger> executionClaims = new ConcurrentHashMap<>();
    DynamoDbClient countingDynamo;

    @BeforeEach
    void startBed() {
        queues = bed.controlQueues;
        commands = bed.commands;
        AwsSettings settings = bed.aws.backend().settings();
        countingSqs = onTheBed(SqsClient.builder(), settings.sqsEndpoint().orElseThrow())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        if (context.request() instanceof CreateQueueRequest create) {
                            creates.computeIfAbsent(create.queueName(), u -> new AtomicInteger()).incrementAndGet();
                        }
                        if (context.request() instanceof ReceiveMessageRequest receive) {
                            receives.computeIfAbsent(receive.queueUrl(), u -> new AtomicInteger()).incrementAndGet();
                        }
                        if (context.request() instanceof DeleteQueueRequest delete) {
                            queueDeletes.computeIfAbsent(delete.queueUrl(), u -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                }))
                .build();
        countingDynamo = onTheBed(DynamoDbClient.builder(), settings.dynamoEndpoint().orElseThrow())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        if (context.request() instanceof UpdateItemRequest update && update.hasKey()
                                && update.key().get("sk").s().startsWith("CMD#") && update.conditionExpression() != null
                                && update.conditionExpression().contains("attribute_not_exists(#executor)")) {
                            executionClaims.computeIfAbsent(update.key().get("sk").s(), k -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                        if (context.request() instanceof QueryRequest query && query.hasExpressionAttributeValues()
                                && query.expressionAttributeValues().containsKey(":cmd")) {
                            commandQueries.computeIfAbsent(query.expressionAttributeValues().get(":pk").s(),
                                    k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                }))
                .build();
    }

    /** A client of the bed's engine at {@code endpoint}, with the bed's region and keys, over its own connections. */
    private <B extends AwsClientBuilder<B, ?> & SdkSyncClientBuilder<B, ?>> B onTheBed(B builder, URI endpoint) {
        AwsSettings settings = bed.aws.backend().settings();
        var keys = settings.staticKeys().orElseThrow();
        return builder.region(Region.of(settings.region())).endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create());
    }

    @AfterEach
    void stopBed() {
        bed.close();
        countingSqs.close();
        countingDynamo.close();
    }

    private SessionWorker startWorker() {
        return startWorker(ENV);
    }

    private SessionWorker startWorker(Map<String, String> env) {
        return bed.startWorker(env, new CallStore(countingDynamo, bed.aws.tableName()),
                new ControlQueues(countingSqs, bed.aws.controlQueuePrefix()));
    }

    /** The worker's queries for the call's pending commands. */
    private int commandQueriesOf(String callId) {
        AtomicInteger count = commandQueries.get(CallTable.callKey(callId));
        return count == null ? 0 : count.get();
    }

    private int receivesOn(String url) {
        AtomicInteger count = receives.get(url);
        return count == null ? 0 : count.get();
    }

    /** Waits for the worker's nudge poll to make {@code polls} more receives: an idle period of about that many seconds. */
    private void awaitNudgePolls(SessionWorker worker, int polls) {
        String nudgeUrl = Await.value("nudge queue created", WAIT, () -> worker.nudgeQueueUrl().orElse(null));
        int from = receivesOn(nudgeUrl);
        Await.until(polls + " nudge polls", WAIT, () -> receivesOn(nudgeUrl) >= from + polls);
    }

    /** Stores a command and puts it on the call's queue without nudging anyone (a lost nudge). */
    private Command sendWithoutNudge(String callId, CommandType type, ObjectNode args) {
        Command command = Command.pending(callId, "cmd_" + UUID.randomUUID().toString().replace("-", ""), type, args,
                null, Instant.now());
        commands.create(command);
        queues.send(queues.find(callId).orElseThrow(), command.message());
        return command;
    }

    private CommandStatus status(Command command) {
        return commands.get(command.callId(), command.commandId()).orElseThrow().status();
    }

    /**
     * The call's control queue: its URL once the claim recorded it, made and recorded as made the way the control side
     * does for a call's first command (the worker never makes it).
     */
    private String awaitQueue(String callId) {
        Await.value("control queue URL recorded by the claim", WAIT, () -> bed.call(callId).controlQueueUrl());
        return bed.openControlQueue(callId);
    }

    @Test
    void a_nudge_reporting_the_control_sides_hangup_ends_the_call_at_the_close_with_its_reason_and_no_reattach() {
        SessionWorker worker = startWorker();
        String callId = bed.placeCall(longCall());
        String url = Await.value("control queue URL recorded by the claim", WAIT,
                () -> bed.call(callId).controlQueueUrl());
        Await.until("the call's control is registered", WAIT, () -> worker.controlQueuesPolled().contains(callId));

        queues.nudge(url, worker.workerId(), callId, new Nudge.HungUp("cmd_elsewhere", "spam_caller"));
        Await.until("the worker heard of it", WAIT, () -> bed.logs().lines().anyMatch(l -> l.contains(callId)
                && l.contains("control side's hang-up taken by OpenAI")));
        assertThat(bed.call(callId).status()).as("still live while its socket is open").isEqualTo(CallStatus.ATTACHED);
        bed.sim.dropConnections(callId, true); // OpenAI's tear-down closes the socket; the simulator keeps the call

        assertThat(bed.awaitStatus(callId, CallStatus.ENDED).endReason()).isEqualTo("spam_caller");
        assertThat(bed.sim.requests(callId)).as("the close was taken as the hang-up: no re-attach")
                .filteredOn(r -> r.endpoint() == ConnectorRequest.Endpoint.ATTACH).hasSize(1);
        assertThat(bed.sim.requests(callId)).as("and the worker sent no hang-up of its own")
                .filteredOn(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP).isEmpty();
        assertThat(queues.find(callId)).as("and made no control queue").isEmpty();
    }

    @Test
    void an_idle_call_is_not_polled_and_a_nudged_command_reaches_it() {
        SessionWorker worker = startWorker();
        String callId = bed.placeCall(longCall());
        String url = awaitQueue(callId);
        Await.until("the call's control is registered", WAIT, () -> worker.controlQueuesPolled().contains(callId));
        int afterAttach = receivesOn(url);

        awaitNudgePolls(worker, 3);
        assertThat(receivesOn(url)).as("receives on the idle call's queue").isEqualTo(afterAttach).isZero();

        Command hangup = sendWithoutNudge(callId, CommandType.HANGUP, Json.object());
        queues.nudge(url, worker.workerId(), callId); // as the control Lambda does after sending
        assertThat(bed.awaitFinished(hangup).status()).isEqualTo(CommandStatus.DONE);
        assertThat(bed.awaitStatus(callId, CallStatus.ENDED).endReason()).isEqualTo("operator_hangup");
        assertThat(bed.sim.requests(callId)).filteredOn(r -> r.endpoint() == ConnectorRequest.Endpoint.HANGUP).hasSize(1);
        assertThat(receivesOn(url)).isGreaterThan(afterAttach);
        String nudgeUrl = worker.nudgeQueueUrl().orElseThrow();
        Await.until("the nudge deleted", WAIT, () -> bed.queueDepth(nudgeUrl) == 0);
    }

    @Test
    void a_call_that_never_had_a_command_costs_no_request_on_a_control_queue_from_claim_to_end() {
        SessionWorker worker = startWorker();
        Await.value("nudge queue created", WAIT, () -> worker.nudgeQueueUrl().orElse(null));
        String callId = bed.placeCall(longCall());
        String url = Await.value("control queue URL recorded by the claim", WAIT, () -> bed.call(callId).controlQueueUrl());
        assertThat(url).isEqualTo(queues.queueUrl(worker.nudgeQueueUrl().orElseThrow(), callId));
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));
        assertThat(bed.call(callId).controlQueueMayExist()).isFalse();

        bed.sim.hangup(callId, true);
        assertThat(bed.awaitStatus(callId, CallStatus.ENDED).endReason()).isEqualTo("caller_hangup");
        Await.until("the worker lets the call go", WAIT, () -> worker.activeCalls() == 0);
        awaitNudgePolls(worker, 2); // the end's clean-up has run
        assertThat(creates.get(queues.queueName(callId))).as("CreateQueue for the call's queue").isNull();
        assertThat(receivesOn(url)).as("ReceiveMessage on the call's queue").isZero();
        assertThat(queueDeletes.get(url)).as("DeleteQueue of the call's queue").isNull();
        assertThat(commandQueriesOf(callId)).as("queries for the call's pending commands").isZero();
        assertThat(queues.find(callId)).isEmpty();
        assertThat(bed.logs().lines().filter(l -> l.contains(callId) && l.contains("control queue"))).isEmpty();
    }

    @Test
    void a_call_that_had_a_command_has_its_queue_deleted_by_its_owner_at_the_end() {
        SessionWorker worker = startWorker();
        String callId = bed.placeCall(longCall());
        String url = awaitQueue(callId);
        Await.until("the call's control is registered", WAIT, () -> worker.controlQueuesPolled().contains(callId));
        Command instructions = nudgeOnly(url, worker, callId, "Mention the holiday hours.");
        assertThat(bed.awaitFinished(instructions).status()).isEqualTo(CommandStatus.DONE);

        bed.sim.hangup(callId, true);
        assertThat(bed.awaitStatus(callId, CallStatus.ENDED).controlQueueMayExist()).isTrue();
        Await.until("the ended call's queue deleted by its owner", WAIT, () -> queues.find(callId).isEmpty()
                && bed.logs().lines().anyMatch(l -> l.contains("\"msg\":\"control queue deleted\"") && l.contains(callId)));
        assertThat(queueDeletes.get(url)).as("DeleteQueue of the call's queue").isNotNull();
        assertThat(commandQueriesOf(callId)).as("the end's query for pending commands").isEqualTo(1);
        assertThat(creates.get(queues.queueName(callId))).as("the worker never makes it").isNull();
    }

    @Test
    void a_command_whose_nudge_was_lost_is_run_by_the_safety_sweep() {
        SessionWorker worker = startWorker();
        String callId = bed.placeCall(longCall());
        awaitQueue(callId);
        awaitNudgePolls(worker, 2);

        Command instructions = sendWithoutNudge(callId, CommandType.INSTRUCTIONS,
                Json.object().put("text", "Mention the holiday hours."));
        awaitNudgePolls(worker, 3);
        assertThat(status(instructions)).as("nobody polls the call's queue").isEqualTo(CommandStatus.PENDING);

        assertThat(worker.controlSweepNow()).isEqualTo(1);
        assertThat(bed.awaitFinished(instructions).status()).isEqualTo(CommandStatus.DONE);
    }

    @Test
    void the_safety_sweep_reads_only_the_queues_of_calls_that_were_ever_sent_a_command() {
        SessionWorker worker = startWorker();
        String withCommand = bed.placeCall(longCall());
        String withQueue = awaitQueue(withCommand);
        String without = bed.placeCall(longCall());
        String neverMade = Await.value("control queue URL recorded by the claim", WAIT,
                () -> bed.call(without).controlQueueUrl());
        Await.until("both calls' controls are registered", WAIT,
                () -> worker.controlQueuesPolled().containsAll(List.of(withCommand, without)));
        Command instructions = sendWithoutNudge(withCommand, CommandType.INSTRUCTIONS,
                Json.object().put("text", "Mention the holiday hours."));
        int beforeWithout = receivesOn(neverMade);

        assertThat(worker.controlSweepNow()).as("calls read").isEqualTo(1);

        assertThat(bed.awaitFinished(instructions).status()).isEqualTo(CommandStatus.DONE);
        assertThat(receivesOn(withQueue)).isPositive();
        assertThat(receivesOn(neverMade)).as("no receive on a queue that was never made").isEqualTo(beforeWithout);
    }

    @Test
    void the_safety_sweep_runs_every_CONTROL_SAFETY_SWEEP_MS_and_finds_a_command_whose_nudge_was_lost() {
        Map<String, String> env = new java.util.HashMap<>(ENV);
        env.put("CONTROL_SAFETY_SWEEP_MS", "1000");
        SessionWorker worker = startWorker(env);
        String callId = bed.placeCall(longCall());
        String url = awaitQueue(callId);
        awaitNudgePolls(worker, 2);
        int before = receivesOn(url);

        Command instructions = sendWithoutNudge(callId, CommandType.INSTRUCTIONS,
                Json.object().put("text", "Mention the holiday hours."));
        // nobody nudges and nobody calls controlSweepNow: only the worker's own timer can find it
        assertThat(bed.awaitFinished(instructions).status()).isEqualTo(CommandStatus.DONE);
        assertThat(receivesOn(url)).as("the sweep's reads of the call's queue").isGreaterThan(before);
    }

    @Test
    void the_nudge_queue_url_the_control_side_derives_is_the_one_the_worker_created() {
        SessionWorker worker = startWorker();
        String callId = bed.placeCall(longCall());
        String callQueue = awaitQueue(callId);
        String created = Await.value("nudge queue created", WAIT, () -> worker.nudgeQueueUrl().orElse(null));
        assertThat(queues.nudgeQueueUrl(callQueue, worker.workerId())).isEqualTo(created);
    }

    @Test
    void a_call_taken_over_reads_its_queue_at_once_and_runs_the_command_sent_during_the_failover() {
        Map<String, String> fast = Map.of("LEASE_DURATION_MS", "1000", "LEASE_RENEW_MS", "200",
                "CONTROL_QUEUE_WAIT_SECONDS", "1");
        SessionWorker owner = bed.startWorker(fast);
        String callId = bed.placeCall(longCall());
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));
        owner.halt(); // a crash: the heartbeat stops, the nudge queue stays and nobody reads it
        // the call's first command: its queue is made now, while nobody holds the call
        String url = bed.openControlQueue(callId);

        Command during = sendWithoutNudge(callId, CommandType.INSTRUCTIONS,
                Json.object().put("text", "Apologise for the interruption."));
        queues.nudge(url, owner.workerId(), callId); // lands on the dead worker's queue: lost
        SessionWorker survivor = bed.startWorker(fast);

        // the safety sweep is minutes away (ENV): the read at attach runs it
        assertThat(bed.awaitFinished(during).status()).isEqualTo(CommandStatus.DONE);
        assertThat(bed.call(callId).owner()).isEqualTo(survivor.workerId());
        assertThat(bed.systemMessages(callId, "Apologise for the interruption.")).isEqualTo(1);
    }

    @Test
    void the_nudge_queue_is_deleted_at_shutdown_and_a_dead_workers_is_swept() {
        Map<String, String> env = new java.util.HashMap<>(ENV);
        env.putAll(Map.of("LEASE_DURATION_MS", "1000", "LEASE_RENEW_MS", "200"));
        SessionWorker worker = startWorker(env);
        String own = Await.value("nudge queue created", WAIT, () -> worker.nudgeQueueUrl().orElse(null));
        assertThat(own).endsWith(queues.nudgeQueueName(worker.workerId()));
        String unknown = queues.createNudgeQueue("worker-long-gone");
        // a worker judges no other gone before it has beaten for a stale limit (1 s here); then the one with no
        // heartbeat at all is
        Await.until("the dead worker's nudge queue swept", WAIT, () -> worker.sweepNow().queuesDeleted() == 1);
        assertThat(queues.listAll()).contains(own).doesNotContain(unknown);

        worker.close();
        assertThat(queues.listAll()).doesNotContain(own);
    }

    /** Stores a command and nudges the owner with it, without putting it on the call's queue. */
    private Command nudgeOnly(String url, SessionWorker owner, String callId, String text) {
        Command command = Command.pending(callId, "cmd_" + UUID.randomUUID().toString().replace("-", ""),
                CommandType.INSTRUCTIONS, Json.object().put("text", text), null, Instant.now());
        commands.create(command);
        queues.nudge(url, owner.workerId(), callId, command.message());
        return command;
    }

    @Test
    void a_command_its_nudge_carries_is_carried_out_from_the_nudge_exactly_once() {
        SessionWorker worker = startWorker();
        String callId = bed.placeCall(longCall());
        String url = awaitQueue(callId);
        awaitNudgePolls(worker, 2);

        // not on the call's queue at all: only the nudge can have brought it
        Command instructions = nudgeOnly(url, worker, callId, "Mention the holiday hours.");
        assertThat(bed.awaitFinished(instructions).status()).isEqualTo(CommandStatus.DONE);
        Await.until("the command's system message at OpenAI", WAIT,
                () -> bed.systemMessages(callId, "Mention the holiday hours.") >= 1);
        awaitNudgePolls(worker, 2);
        assertThat(bed.systemMessages(callId, "Mention the holiday hours.")).isEqualTo(1);
        assertThat(bed.eventKinds(callId).stream().filter("command"::equals).count()).isEqualTo(1);
        assertThat(bed.logs().lines().filter(l -> l.contains("\"command received\"")
                && l.contains(instructions.commandId())).toList())
                .isNotEmpty().allMatch(l -> l.contains("\"via\":\"nudge\""));
    }

    @Test
    void the_same_command_later_received_from_the_calls_queue_is_dropped_not_run_again() {
        SessionWorker worker = startWorker();
        String callId = bed.placeCall(longCall());
        String url = awaitQueue(callId);
        awaitNudgePolls(worker, 2);
        Command instructions = nudgeOnly(url, worker, callId, "Mention the holiday hours.");
        Command done = bed.awaitFinished(instructions);
        assertThat(done.status()).isEqualTo(CommandStatus.DONE);

        // the queue copy the control side sent beside the nudge, arriving late
        queues.send(url, instructions.message());
        assertThat(worker.controlSweepNow()).isEqualTo(1);
        Await.until("the queue copy consumed", WAIT, () -> bed.queueDepth(url) == 0);
        assertThat(bed.systemMessages(callId, "Mention the holiday hours.")).isEqualTo(1);
        assertThat(commands.get(callId, instructions.commandId()).orElseThrow().completedAt())
                .isEqualTo(done.completedAt());
        assertThat(bed.logs()).contains("command already finished here; duplicate delivery dropped");
        assertThat(executionClaims.get("CMD#" + instructions.commandId())).as("the copy cost no claim in the store")
                .hasValue(1);
    }

    @Test
    void a_worker_taking_the_call_over_finds_a_command_done_from_its_nudge_and_does_not_run_it_again() {
        Map<String, String> fast = Map.of("LEASE_DURATION_MS", "1000", "LEASE_RENEW_MS", "200",
                "CONTROL_QUEUE_WAIT_SECONDS", "1", "CONTROL_SAFETY_SWEEP_MS", "600000");
        SessionWorker owner = bed.startWorker(fast);
        String callId = bed.placeCall(longCall());
        String url = awaitQueue(callId);
        Await.until("call hosted", WAIT, () -> bed.turnLines(callId).contains("caller: Hello"));
        Command instructions = nudgeOnly(url, owner, callId, "Apologise for the wait.");
        assertThat(bed.awaitFinished(instructions).status()).isEqualTo(CommandStatus.DONE);
        owner.halt(); // a crash before the owner read the queue copy
        queues.send(url, instructions.message()); // ...which is there for the next owner
        Command after = sendWithoutNudge(callId, CommandType.INSTRUCTIONS,
                Json.object().put("text", "Thank the caller."));

        SessionWorker survivor = bed.startWorker(fast);
        assertThat(bed.awaitFinished(after).status()).isEqualTo(CommandStatus.DONE); // the survivor read the queue at attach
        Await.until("the queue copies consumed", WAIT, () -> bed.queueDepth(url) == 0);
        assertThat(bed.call(callId).owner()).isEqualTo(survivor.workerId());
        assertThat(bed.systemMessages(callId, "Apologise for the wait.")).isEqualTo(1);
        assertThat(bed.systemMessages(callId, "Thank the caller.")).isEqualTo(1);
    }

    @Test
    void a_nudge_whose_command_is_malformed_is_rejected_with_a_log_line_and_the_queue_copy_still_runs() {
        SessionWorker worker = startWorker();
        String callId = bed.placeCall(longCall());
        String url = awaitQueue(callId);
        awaitNudgePolls(worker, 2);
        Command instructions = sendWithoutNudge(callId, CommandType.INSTRUCTIONS,
                Json.object().put("text", "Mention the holiday hours."));
        ObjectNode damaged = instructions.message().toNode().put("type", "explode");
        bed.aws.sqs().sendMessage(b -> b.queueUrl(queues.nudgeQueueUrl(url, worker.workerId()))
                .messageBody(Json.write(Json.object().put("callId", callId).set("command", damaged))));

        assertThat(bed.awaitFinished(instructions).status()).isEqualTo(CommandStatus.DONE);
        assertThat(bed.systemMessages(callId, "Mention the holiday hours.")).isEqualTo(1);
        assertThat(bed.logs()).contains("nudge's command rejected; reading the call's queue for it")
                .contains("command: type must be hangup, transfer or instructions");
        Await.until("the nudge deleted", WAIT, () -> bed.queueDepth(worker.nudgeQueueUrl().orElseThrow()) == 0);
    }
}
