package ai.phoneagent.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.localaws.LocalResources;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.EmbeddedAws;
import ai.phoneagent.testing.HangingEndpoint;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * The AWS clients' own transport ({@link AwsWire} under {@link AwsJsonTransport}) against real engines and a hung
 * endpoint: every wait bounded as {@link AwsTimeouts} says, long polls intact, a poll cut off by an interrupt (how the
 * worker's queue poller stops), and many calls at once served from the bounded pool.
 */
class LeanClientsTransportTest {
    private static final AwsTimeouts SHORT = new AwsTimeouts(Duration.ofMillis(1_000), Duration.ofMillis(500),
            Duration.ofMillis(1_000));

    private static AwsClients clients(URI sqs, URI dynamo, AwsTimeouts timeouts) {
        AwsSettings local = EmbeddedAws.shared().settings();
        return new AwsClients(new AwsSettings(local.region(), Optional.of(sqs), Optional.of(dynamo), local.staticKeys(),
                timeouts));
    }

    private static AwsClients onEngines(AwsTimeouts timeouts) {
        AwsSettings local = EmbeddedAws.shared().settings();
        return clients(local.sqsEndpoint().orElseThrow(), local.dynamoEndpoint().orElseThrow(), timeouts);
    }

    /** A queue made with the local engines' generous timeouts (a cold engine may take seconds). */
    private static String newQueue() {
        try (SqsClient sqs = onEngines(AwsTimeouts.LOCAL).sqs()) {
            return LocalResources.createCallsQueue(sqs, "lean-q-" + UUID.randomUUID().toString().substring(0, 8), 30);
        }
    }

    @Test
    void everyOperationThePartsMakeStaysOnTheLeanPathAgainstTheRealEngines() {
        String table = "lean-" + UUID.randomUUID().toString().substring(0, 8);
        try (DynamoDbClient setUp = onEngines(AwsTimeouts.LOCAL).dynamo()) {
            LocalResources.createTable(setUp, table); // table set-up is the SDK's, on clients of its own
        }
        AwsClients clients = onEngines(AwsTimeouts.LOCAL);
        try (DynamoDbClient dynamo = clients.dynamo(); SqsClient sqs = clients.sqs()) {
            Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("CALL#lean"), "sk", AttributeValue.fromS("META"));
            Map<String, AttributeValue> item = new java.util.HashMap<>(key);
            item.put("status", AttributeValue.fromS("LIVE"));
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            assertThat(dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item()).isEqualTo(item);
            assertThat(dynamo.updateItem(b -> b.tableName(table).key(key).updateExpression("SET #s = :s")
                    .expressionAttributeNames(Map.of("#s", "status")).expressionAttributeValues(Map.of(":s", AttributeValue.fromS("ENDED")))
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.UPDATED_NEW)).attributes())
                    .containsEntry("status", AttributeValue.fromS("ENDED"));
            assertThat(dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("CALL#lean")))).items()).hasSize(1);
            // the engine's own error answers, as the SDK's types with their details
            assertThatThrownBy(() -> dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")
                    .returnValuesOnConditionCheckFailure(software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure.ALL_OLD)))
                    .isInstanceOfSatisfying(software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException.class,
                            e -> assertThat(e.item()).containsEntry("status", AttributeValue.fromS("ENDED")));
            assertThatThrownBy(() -> dynamo.transactWriteItems(b -> b.transactItems(
                    software.amazon.awssdk.services.dynamodb.model.TransactWriteItem.builder().update(u -> u.tableName(table)
                            .key(Map.of("pk", AttributeValue.fromS("CALL#other"), "sk", AttributeValue.fromS("META")))
                            .updateExpression("SET a = :a").expressionAttributeValues(Map.of(":a", AttributeValue.fromN("1")))).build(),
                    software.amazon.awssdk.services.dynamodb.model.TransactWriteItem.builder().conditionCheck(c -> c.tableName(table)
                            .key(key).conditionExpression("#s = :live").expressionAttributeNames(Map.of("#s", "status"))
                            .expressionAttributeValues(Map.of(":live", AttributeValue.fromS("LIVE")))).build())))
                    .isInstanceOfSatisfying(software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.class,
                            e -> assertThat(e.cancellationReasons()).extracting(r -> r.code())
                                    .containsExactly("None", "ConditionalCheckFailed"));
            dynamo.deleteItem(b -> b.tableName(table).key(key).conditionExpression("attribute_exists(pk)"));
            assertThat(dynamo.getItem(b -> b.tableName(table).key(key)).hasItem()).isFalse();

            String name = "lean-" + UUID.randomUUID().toString().substring(0, 8);
            String url = sqs.createQueue(b -> b.queueName(name).attributes(Map.of(
                    software.amazon.awssdk.services.sqs.model.QueueAttributeName.VISIBILITY_TIMEOUT, "30"))).queueUrl();
            assertThat(sqs.getQueueUrl(b -> b.queueName(name)).queueUrl()).isEqualTo(url);
            assertThat(sqs.listQueuesPaginator(b -> b.queueNamePrefix(name)).queueUrls()).containsExactly(url);
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("{\"hé\":1}"));
            var received = sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(5).messageSystemAttributeNames(
                    software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
                    .overrideConfiguration(AwsTimeouts.longPoll(5))).messages();
            assertThat(received).extracting(m -> m.body()).containsExactly("{\"hé\":1}");
            assertThat(received.getFirst().attributesAsStrings()).containsEntry("ApproximateReceiveCount", "1");
            sqs.changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(received.getFirst().receiptHandle()).visibilityTimeout(0));
            String again = sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(5)
                    .overrideConfiguration(AwsTimeouts.longPoll(5))).messages().getFirst().receiptHandle();
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(again));
            sqs.deleteQueue(b -> b.queueUrl(url));
            assertThatThrownBy(() -> sqs.sendMessage(b -> b.queueUrl(url).messageBody("gone")))
                    .isInstanceOf(software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException.class);
        }
        assertThat(clients.sdkClientsBuilt()).as("no operation left the lean path").isZero();
    }

    @Test
    void aLongPollOutlastsTheAttemptTimeoutAndReturnsTheMessageSentDuringIt() throws Exception {
        // attempts are cut off after 500 ms, but a long poll's bound is its own wait + margin
        String queue = newQueue();
        try (SqsClient sqs = onEngines(SHORT).sqs(); SqsClient sender = onEngines(AwsTimeouts.LOCAL).sqs()) {
            AtomicReference<Thread> poller = new AtomicReference<>();
            CompletableFuture<ReceiveMessageResponse> poll = CompletableFuture.supplyAsync(() -> {
                poller.set(Thread.currentThread());
                return sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(3)
                        .overrideConfiguration(AwsTimeouts.longPoll(3)));
            });
            Await.until("the long poll in flight", Duration.ofSeconds(10), () -> poller.get() != null
                    && AwsRequestCounter.GLOBAL.inFlight(poller.get()).orElse("").equals("Sqs.ReceiveMessage"));
            long sent = System.nanoTime();
            sender.sendMessage(b -> b.queueUrl(queue).messageBody("during the poll"));

            ReceiveMessageResponse received = poll.get(10, TimeUnit.SECONDS);
            assertThat(received.messages()).extracting(m -> m.body()).containsExactly("during the poll");
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("answered on arrival, not at the wait's end")
                    .isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void anEmptyLongPollWaitsItsWholeWaitWithoutATimeout() {
        String queue = newQueue();
        try (SqsClient sqs = onEngines(SHORT).sqs()) {
            long started = System.nanoTime();
            ReceiveMessageResponse empty = sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(2)
                    .overrideConfiguration(AwsTimeouts.longPoll(2)));
            assertThat(empty.messages()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
        }
    }

    @Test
    void interruptingAThreadInALongPollCutsThePollOffAtOnce() throws Exception {
        String queue = newQueue();
        try (SqsClient sqs = onEngines(AwsTimeouts.LOCAL).sqs()) {
            // well inside the 20 s wait: only a cut-off poll ends this soon
            interruptEndsItAsAnAwsFailure("Sqs.ReceiveMessage", () -> sqs.receiveMessage(b -> b.queueUrl(queue)
                    .waitTimeSeconds(20).overrideConfiguration(AwsTimeouts.longPoll(20))));
        }
    }

    @Test
    void interruptingAThreadWaitingForAPooledConnectionFailsItAsAnAwsCallAtOnce() throws Exception {
        try (HangingEndpoint hanging = HangingEndpoint.start();
             DynamoDbClient dynamo = clients(hanging.uri(), hanging.uri(), AwsTimeouts.LOCAL).dynamo()) {
            // every pooled connection held by a request the endpoint never answers, so the next one waits for a lease
            List<Thread> holders = new ArrayList<>();
            for (int i = 0; i < AwsWire.MAX_CONNECTIONS; i++) {
                holders.add(Thread.ofVirtual().start(() -> {
                    try {
                        getItem(dynamo);
                    } catch (RuntimeException stopped) {
                        // interrupted at the end of the test
                    }
                }));
            }
            try {
                Await.until("every pooled connection taken", Duration.ofSeconds(20),
                        () -> hanging.connections() == AwsWire.MAX_CONNECTIONS);
                // an AWS call's failure, whatever the pool threw
                interruptEndsItAsAnAwsFailure("DynamoDb.GetItem", () -> getItem(dynamo));
                assertThat(hanging.connections()).as("no new connection for it").isEqualTo(AwsWire.MAX_CONNECTIONS);
            } finally {
                holders.forEach(Thread::interrupt);
            }
        }
    }

    /**
     * Runs {@code call} on its own thread, interrupts that thread once the call ({@code Service.Operation}) is in
     * flight, and expects it to end within 3 s with an AWS call's failure ({@code SdkException}).
     */
    private static void interruptEndsItAsAnAwsFailure(String operation, Runnable call) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(1);
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                call.run();
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                ended.countDown();
            }
        });
        Await.until(operation + " in flight", Duration.ofSeconds(10),
                () -> AwsRequestCounter.GLOBAL.inFlight(caller).orElse("").equals(operation));

        caller.interrupt();
        assertThat(ended.await(3, TimeUnit.SECONDS)).as(operation + " ended").isTrue();
        assertThat(failure.get()).isInstanceOf(SdkException.class);
    }

    private static void getItem(DynamoDbClient dynamo) {
        dynamo.getItem(b -> b.tableName("calls").key(Map.of("pk", AttributeValue.fromS("x"), "sk", AttributeValue.fromS("y"))));
    }

    @Test
    void aHungEndpointIsCutOffByTheAttemptAndCallTimeouts() {
        try (HangingEndpoint hanging = HangingEndpoint.start();
             DynamoDbClient dynamo = clients(hanging.uri(), hanging.uri(), SHORT).dynamo()) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> getItem(dynamo))
                    .isInstanceOf(software.amazon.awssdk.core.exception.ApiCallTimeoutException.class)
                    .hasMessageContaining("DynamoDb.GetItem at " + hanging.uri())
                    .satisfies(e -> assertThat(AwsFailures.of(e)).hasValueSatisfying(f -> assertThat(f.timedOut()).isTrue()));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("bounded by the 1 s call timeout")
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(hanging.connections()).as("the request reached the hung endpoint").isPositive();
        }
    }

    @Test
    void moreCallsAtOnceThanThePoolHoldsAllSucceed() throws Exception {
        String queue = newQueue();
        try (SqsClient sqs = onEngines(AwsTimeouts.LOCAL).sqs()) {
            int calls = AwsWire.MAX_CONNECTIONS * 2;
            try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                var sends = java.util.stream.IntStream.range(0, calls).mapToObj(i -> threads.submit(
                        () -> sqs.sendMessage(b -> b.queueUrl(queue).messageBody("m" + i)).messageId())).toList();
                for (var send : sends) {
                    assertThat(send.get(30, TimeUnit.SECONDS)).isNotBlank();
                }
            }
            assertThat(sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNamesWithStrings(
                    "ApproximateNumberOfMessages")).attributesAsStrings().get("ApproximateNumberOfMessages"))
                    .isEqualTo(Integer.toString(calls));
        }
    }
}
