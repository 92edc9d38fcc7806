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

    private static AwsClients pooled(URI sqs, URI dynamo, AwsTimeouts timeouts) {
        AwsSettings local = EmbeddedAws.shared().settings();
        return new AwsClients(new AwsSettings(local.region(), Optional.of(sqs), Optional.of(dynamo), local.staticKeys(),
                timeouts));
    }

    private static AwsClients pooledOnEngines(AwsTimeouts timeouts) {
        AwsSettings local = EmbeddedAws.shared().settings();
        return pooled(local.sqsEndpoint().orElseThrow(), local.dynamoEndpoint().orElseThrow(), timeouts);
    }

    /** A queue made with the local engines' generous timeouts (a cold engine may take seconds). */
    private static String newQueue() {
        try (SqsClient sqs = pooledOnEngines(AwsTimeouts.LOCAL).sqs()) {
            return LocalResources.createCallsQueue(sqs, "pooled-" + UUID.randomUUID().toString().substring(0, 8), 30);
        }
    }

    @Test
    void aLongPollOutlastsTheAttemptTimeoutAndReturnsTheMessageSentDuringIt() throws Exception {
        // attempts are cut off after 500 ms, but a long poll's bound is its own wait + margin
        String queue = newQueue();
        try (SqsClient sqs = pooledOnEngines(SHORT).sqs(); SqsClient sender = pooledOnEngines(AwsTimeouts.LOCAL).sqs()) {
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
        try (SqsClient sqs = pooledOnEngines(SHORT).sqs()) {
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
        try (SqsClient sqs = pooledOnEngines(AwsTimeouts.LOCAL).sqs()) {
            // well inside the 20 s wait: only a cut-off poll ends this soon
            interruptEndsItAsAnAwsFailure("Sqs.ReceiveMessage", () -> sqs.receiveMessage(b -> b.queueUrl(queue)
                    .waitTimeSeconds(20).overrideConfiguration(AwsTimeouts.longPoll(20))));
        }
    }

    @Test
    void interruptingAThreadWaitingForAPooledConnectionFailsItAsAnAwsCallAtOnce() throws Exception {
        try (HangingEndpoint hanging = HangingEndpoint.start();
             DynamoDbClient dynamo = pooled(hanging.uri(), hanging.uri(), AwsTimeouts.LOCAL).dynamo()) {
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
             DynamoDbClient dynamo = pooled(hanging.uri(), hanging.uri(), SHORT).dynamo()) {
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
        try (SqsClient sqs = pooledOnEngines(AwsTimeouts.LOCAL).sqs()) {
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
