package ai.phoneagent.localaws;

import ai.phoneagent.call.CallTable;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Creates the table and queues the system expects, the way the SAM template declares them. */
public final class LocalResources {
    /** Receives before a calls-queue message goes to the dead-letter queue. */
    public static final int MAX_RECEIVES = 5;

    private LocalResources() {
    }

    /** Creates the calls table (with its index and TTL) unless it exists. */
    public static void createTable(DynamoDbClient dynamo, String tableName) {
        try {
            dynamo.createTable(CallTable.createTableRequest(tableName));
        } catch (ResourceInUseException alreadyThere) {
            return;
        }
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(tableName));
        try {
            dynamo.updateTimeToLive(UpdateTimeToLiveRequest.builder()
                    .tableName(tableName)
                    .timeToLiveSpecification(TimeToLiveSpecification.builder()
                            .attributeName(CallTable.TTL_ATTRIBUTE).enabled(true).build())
                    .build());
        } catch (RuntimeException unsupported) {
            // some local engines do not implement TTL; expiry is not needed locally
        }
    }

    /** Creates the calls queue with a dead-letter queue and redrive; returns the calls queue URL. */
    public static String createCallsQueue(SqsClient sqs, String queueName, int visibilityTimeoutSeconds) {
        String dlqUrl = sqs.createQueue(CreateQueueRequest.builder().queueName(queueName + "-dlq").build()).queueUrl();
        String dlqArn = sqs.getQueueAttributes(GetQueueAttributesRequest.builder()
                        .queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN).build())
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + MAX_RECEIVES + "\"}";
        return sqs.createQueue(CreateQueueRequest.builder()
                .queueName(queueName)
                .attributes(Map.of(
                        QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilityTimeoutSeconds),
                        QueueAttributeName.REDRIVE_POLICY, redrive))
                .build()).queueUrl();
    }
}
