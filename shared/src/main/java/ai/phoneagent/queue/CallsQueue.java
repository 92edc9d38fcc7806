package ai.phoneagent.queue;

import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/** The calls queue on SQS: the webhook sends accepted calls, workers receive them. */
public final class CallsQueue {
    private final SqsClient sqs;
    private final String queueUrl;

    public CallsQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    public String url() {
        return queueUrl;
    }

    /** Sends a call; returns the SQS message id. */
    public String send(CallMessage message) {
        return sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(message.toJson()).build())
                .messageId();
    }

    /** A received message: its raw body (validated by the receiver), receipt handle and receive count. */
    public record Received(String messageId, String body, String receiptHandle, int receiveCount) {
    }

    /** Long-polls for up to {@code max} messages (1..10), waiting at most {@code waitSeconds} (0..20). */
    public List<Received> receive(int max, int waitSeconds) {
        return receive(max, waitSeconds, null);
    }

    /**
     * As {@link #receive(int, int)}, the messages hidden for {@code visibilitySeconds} instead of the queue's
     * visibility timeout (null: the queue's).
     */
    public List<Received> receive(int max, int waitSeconds, Integer visibilitySeconds) {
        return sqs.receiveMessage(ReceiveMessageRequest.builder()
                        .queueUrl(queueUrl)
                        .maxNumberOfMessages(Math.clamp(max, 1, 10))
                        .waitTimeSeconds(Math.clamp(waitSeconds, 0, 20))
                        .visibilityTimeout(visibilitySeconds)
                        .overrideConfiguration(ai.phoneagent.aws.AwsTimeouts.longPoll(Math.clamp(waitSeconds, 0, 20)))
                        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
                        .build())
                .messages().stream()
                .map(m -> new Received(m.messageId(), m.body(), m.receiptHandle(),
                        Integer.parseInt(m.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"))))
                .toList();
    }

    public void delete(String receiptHandle) {
        sqs.deleteMessage(DeleteMessageRequest.builder().queueUrl(queueUrl).receiptHandle(receiptHandle).build());
    }

    /** Makes a message visible again after {@code seconds} (0 = now), e.g. when the worker is full. */
    public void retryLater(String receiptHandle, int seconds) {
        sqs.changeMessageVisibility(ChangeMessageVisibilityRequest.builder()
                .queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(seconds).build());
    }
}
