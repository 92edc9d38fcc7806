package ai.phoneagent.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.localaws.LocalResources;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.EmbeddedAws;
import ai.phoneagent.worker.call.CallRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * The calls-queue poller over ElasticMQ: its stop cuts a long poll off rather than waiting it out, a message a receive
 * brought in as the stop came is handed back to the queue at once, and a message whose receive's answer was lost is
 * back within seconds (the queue's own visibility timeout here is a minute).
 */
class QueuePollerTest {
    /** The poll's wait: a stop that waited it out would take this long. */
    static final int LONG_POLL_SECONDS = 20;
    /** The queue's visibility timeout: a message left invisible would come back only after this. */
    static final int VISIBILITY_SECONDS = 60;

    SqsClient sqs;
    String queueUrl;
    final AtomicInteger receivesSent = new AtomicInteger();
    /** Runs on the poller's thread when a receive returns messages (before the poller sees them). */
    final AtomicReference<Runnable> onMessagesReceived = new AtomicReference<>(() -> { });
    final List<CallsQueue.Received> handled = new CopyOnWriteArrayList<>();
    /** When set, the next receive that brings messages fails after SQS has handed them out (a lost answer). */
    final java.util.concurrent.atomic.AtomicBoolean loseNextAnswer = new java.util.concurrent.atomic.AtomicBoolean();
    QueuePoller poller;

    @BeforeEach
    void queue() {
        AwsSettings settings = EmbeddedAws.shared().settings();
        var keys = settings.staticKeys().orElseThrow();
        sqs = SqsClient.builder().region(Region.of(settings.region()))
                .endpointOverride(settings.sqsEndpoint().orElseThrow())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        if (context.request() instanceof ReceiveMessageRequest) {
                            receivesSent.incrementAndGet();
                        }
                    }

                    @Override
                    public void afterUnmarshalling(Context.AfterUnmarshalling context, ExecutionAttributes attributes) {
                        if (context.response() instanceof ReceiveMessageResponse r && r.hasMessages()
                                && !r.messages().isEmpty() && loseNextAnswer.compareAndSet(true, false)) {
                            // SQS took the messages off the queue, but the answer never reaches the poller
                            throw new IllegalStateException("answer lost on the way (test)");
                        }
                    }

                    @Override
                    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                        if (context.response() instanceof ReceiveMessageResponse r && r.hasMessages()
                                && !r.messages().isEmpty()) {
                            onMessagesReceived.get().run();
                        }
                    }
                }))
                .build();
        queueUrl = LocalResources.createCallsQueue(sqs, "poller-" + UUID.randomUUID().toString().substring(0, 8),
                VISIBILITY_SECONDS);
    }

    @AfterEach
    void close() {
        if (poller != null) {
            poller.stop(1_000);
        }
        sqs.close();
    }

    private QueuePoller startPoller() {
        poller = new QueuePoller(new CallsQueue(sqs, queueUrl), new CallRegistry(4), LONG_POLL_SECONDS, handled::add)
                .start();
        return poller;
    }

    @Test
    void aStopCutsOffTheLongPollInFlightInsteadOfWaitingItOut() {
        QueuePoller poller = startPoller();
        Await.until("a long poll in flight", Duration.ofSeconds(10), () -> receivesSent.get() >= 1);

        poller.requestStop();
        poller.cutOff();
        // well inside the poll's 20 s wait: only a cut-off poll returns this soon
        assertThat(poller.awaitStopped(3_000)).as("poller stopped").isTrue();
        assertThat(receivesSent.get()).as("no receive after the stop").isEqualTo(1);
    }

    @Test
    void aMessageWhoseReceiveAnswerWasLostIsBackWithinSecondsNotAfterTheQueuesVisibilityTimeout() {
        loseNextAnswer.set(true);
        startPoller();
        send("rtc_answer_lost");

        Await.until("the message taken in after its answer was lost", Duration.ofSeconds(15), () -> !handled.isEmpty());
        assertThat(loseNextAnswer).as("an answer was lost first").isFalse();
        assertThat(handled.getFirst().body()).contains("rtc_answer_lost");
        assertThat(handled.getFirst().receiveCount()).isEqualTo(2);
    }

    private void send(String callId) {
        new CallsQueue(sqs, queueUrl).send(new CallMessage(callId, "wh_1", System.currentTimeMillis(),
                CallMessage.Reason.INCOMING));
    }

    @Test
    void aMessageReceivedAsTheStopComesIsGivenBackAtOnceNotLeftInvisible() {
        QueuePoller poller = startPoller();
        Await.until("a long poll in flight", Duration.ofSeconds(10), () -> receivesSent.get() >= 1);
        onMessagesReceived.set(poller::requestStop); // the stop lands while the receive's answer is being read

        send("rtc_given_back");
        assertThat(poller.awaitStopped(5_000)).as("poller stopped").isTrue();

        assertThat(handled).as("nothing taken in after the stop").isEmpty();
        // visible again now, long before the queue's 60 s visibility timeout, and on its second receive
        var again = sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1).maxNumberOfMessages(10)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        assertThat(again).hasSize(1);
        assertThat(again.getFirst().body()).contains("rtc_given_back");
        assertThat(again.getFirst().attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).isEqualTo("2");
    }
}
