package ai.phoneagent.testing;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.localaws.LocalResources;
import ai.phoneagent.queue.CallsQueue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A fresh calls table and calls queue on a backend, with uniquely named resources so test classes never see
 * each other's data.
 */
public final class AwsFixture {
    private final AwsBackend backend;
    private final AwsClients clients;
    private final DynamoDbClient dynamo;
    private final SqsClient sqs;
    private final String tableName;
    private final String queueUrl;
    private final String controlQueuePrefix;

    private AwsFixture(AwsBackend backend) {
        this.backend = backend;
        this.clients = new AwsClients(backend.settings());
        this.dynamo = clients.dynamo();
        this.sqs = clients.sqs();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        this.tableName = "calls-" + suffix;
        this.controlQueuePrefix = "ctl-" + suffix + "-";
        LocalResources.createTable(dynamo, tableName);
        this.queueUrl = LocalResources.createCallsQueue(sqs, "calls-" + suffix, 30);
    }

    /** New resources on the given backend. */
    public static AwsFixture on(AwsBackend backend) {
        return new AwsFixture(backend);
    }

    /** New resources on the JVM-wide embedded backend. */
    public static AwsFixture embedded() {
        return on(EmbeddedAws.shared());
    }

    public AwsBackend backend() {
        return backend;
    }

    public AwsClients clients() {
        return clients;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public SqsClient sqs() {
        return sqs;
    }

    public String tableName() {
        return tableName;
    }

    public String queueUrl() {
        return queueUrl;
    }

    public String controlQueuePrefix() {
        return controlQueuePrefix;
    }

    public CallStore callStore() {
        return new CallStore(dynamo, tableName);
    }

    public CallsQueue callsQueue() {
        return new CallsQueue(sqs, queueUrl);
    }

    private String callEventsQueueUrl;

    /** A call-events queue of its own (created on first use), for {@code CALL_EVENTS_QUEUE_URL}. */
    public synchronized String callEventsQueueUrl() {
        if (callEventsQueueUrl == null) {
            callEventsQueueUrl = LocalResources.createCallsQueue(sqs, tableName.replace("calls-", "call-events-"), 60);
        }
        return callEventsQueueUrl;
    }

    /** Environment variables that point a part of the system at these resources. */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        var settings = backend.settings();
        env.put("AWS_REGION", settings.region());
        settings.sqsEndpoint().ifPresent(u -> env.put("AWS_ENDPOINT_URL_SQS", u.toString()));
        settings.dynamoEndpoint().ifPresent(u -> env.put("AWS_ENDPOINT_URL_DYNAMODB", u.toString()));
        settings.staticKeys().ifPresent(k -> {
            env.put("AWS_ACCESS_KEY_ID", k.accessKeyId());
            env.put("AWS_SECRET_ACCESS_KEY", k.secretAccessKey());
        });
        env.put("CALLS_TABLE", tableName);
        env.put("CALLS_QUEUE_URL", queueUrl);
        env.put("CONTROL_QUEUE_PREFIX", controlQueuePrefix);
        return env;
    }

    /** Messages visible on the calls queue right now, received and immediately made visible again. */
    public List<Message> peekQueue() {
        var messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0)
                .visibilityTimeout(0)).messages();
        return messages;
    }

    /** The approximate number of messages on the calls queue, visible or in flight. */
    public int queueDepth() {
        var attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /** Drains the calls queue, returning every message body (deleting them). */
    public List<String> drainQueue() {
        List<String> bodies = new java.util.ArrayList<>();
        while (true) {
            var messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0))
                    .messages();
            if (messages.isEmpty()) {
                return bodies;
            }
            for (Message m : messages) {
                bodies.add(m.body());
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }
}
