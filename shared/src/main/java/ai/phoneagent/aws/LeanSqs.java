package ai.phoneagent.aws;

import java.net.URI;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.CreateQueueResponse;
import software.amazon.awssdk.services.sqs.model.DeleteQueueRequest;
import software.amazon.awssdk.services.sqs.model.DeleteQueueResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageResponse;
import software.amazon.awssdk.services.sqs.model.InvalidAddressException;
import software.amazon.awssdk.services.sqs.model.InvalidMessageContentsException;
import software.amazon.awssdk.services.sqs.model.InvalidSecurityException;
import software.amazon.awssdk.services.sqs.model.ListQueuesRequest;
import software.amazon.awssdk.services.sqs.model.ListQueuesResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageNotInflightException;
import software.amazon.awssdk.services.sqs.model.OverLimitException;
import software.amazon.awssdk.services.sqs.model.QueueDeletedRecentlyException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.QueueNameExistsException;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.RequestThrottledException;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The SQS client of every part: {@code SendMessage}, {@code ReceiveMessage}, {@code DeleteMessage},
 * {@code ChangeMessageVisibility} (every message operation the system makes) and the control queues'
 * {@code CreateQueue}, {@code GetQueueUrl}, {@code DeleteQueue} and {@code ListQueues} go straight to SQS's JSON
 * protocol through {@link AwsJsonTransport}; the rest (attributes, tests' set-up) through the SDK, whose client is
 * built only then: a worker builds none (on its first safety sweep, that cost a second of a core).
 * Message bodies are not checked against their MD5 as the SDK does: the connection (TLS in AWS) already guards them.
 */
final class LeanSqs {
    static final String SERVICE = "Sqs";

    private LeanSqs() {
    }

    static AwsJsonTransport transport(URI endpoint, String region, AwsCredentialsProvider credentials,
                                      AwsTimeouts timeouts, AwsJsonTransport.Wire wire) {
        return new AwsJsonTransport(SERVICE, "sqs", "AmazonSQS.", endpoint, region, credentials, timeouts, wire,
                LeanSqs::errorBuilder);
    }

    /** An {@link SqsClient} on {@code transport}, with {@code sdk} for what the lean operations do not take. */
    static SqsClient client(AwsJsonTransport transport, Supplier<SqsClient> sdk) {
        var operations = LeanOperations.byRequestType(
                LeanOperations.Operation.of(SendMessageRequest.builder().build(),
                        Set.of("QueueUrl", "MessageBody", "DelaySeconds", "MessageGroupId", "MessageDeduplicationId"),
                        request -> send(transport, request)),
                LeanOperations.Operation.of(ReceiveMessageRequest.builder().build(),
                        Set.of("QueueUrl", "MaxNumberOfMessages", "WaitTimeSeconds", "VisibilityTimeout",
                                "AttributeNames", "MessageSystemAttributeNames", "ReceiveRequestAttemptId"),
                        request -> receive(transport, request)),
                LeanOperations.Operation.of(DeleteMessageRequest.builder().build(), Set.of("QueueUrl", "ReceiptHandle"),
                        request -> delete(transport, request)),
                LeanOperations.Operation.of(ChangeMessageVisibilityRequest.builder().build(),
                        Set.of("QueueUrl", "ReceiptHandle", "VisibilityTimeout"),
                        request -> changeVisibility(transport, request)),
                LeanOperations.Operation.of(CreateQueueRequest.builder().build(),
                        Set.of("QueueName", "Attributes", "tags"), request -> createQueue(transport, request)),
                LeanOperations.Operation.of(GetQueueUrlRequest.builder().build(),
                        Set.of("QueueName", "QueueOwnerAWSAccountId"), request -> queueUrl(transport, request)),
                LeanOperations.Operation.of(DeleteQueueRequest.builder().build(), Set.of("QueueUrl"),
                        request -> deleteQueue(transport, request)),
                LeanOperations.Operation.of(ListQueuesRequest.builder().build(),
                        Set.of("QueueNamePrefix", "NextToken", "MaxResults"), request -> listQueues(transport, request)));
        return LeanOperations.client(SqsClient.class, SERVICE, operations, sdk, transport::close);
    }

    private static SendMessageResponse send(AwsJsonTransport transport, SendMessageRequest request) {
        byte[] body = JsonWire.object(out -> out.string("QueueUrl", request.queueUrl())
                .string("MessageBody", request.messageBody())
                .number("DelaySeconds", request.delaySeconds())
                .string("MessageGroupId", request.messageGroupId())
                .string("MessageDeduplicationId", request.messageDeduplicationId()));
        SendMessageResponse.Builder response = SendMessageResponse.builder();
        JsonWire.read(transport.call("SendMessage", request, body, 0), (name, in) -> {
            switch (name) {
                case "MessageId" -> response.messageId(in.string());
                case "MD5OfMessageBody" -> response.md5OfMessageBody(in.string());
                case "SequenceNumber" -> response.sequenceNumber(in.string());
                default -> in.skip();
            }
        });
        return response.build();
    }

    private static ReceiveMessageResponse receive(AwsJsonTransport transport, ReceiveMessageRequest request) {
        byte[] body = JsonWire.object(out -> out.string("QueueUrl", request.queueUrl())
                .number("MaxNumberOfMessages", request.maxNumberOfMessages())
                .number("WaitTimeSeconds", request.waitTimeSeconds())
                .number("VisibilityTimeout", request.visibilityTimeout())
                .strings("AttributeNames", request.attributeNamesAsStrings())
                .strings("MessageSystemAttributeNames", request.messageSystemAttributeNamesAsStrings())
                .string("ReceiveRequestAttemptId", request.receiveRequestAttemptId()));
        ReceiveMessageResponse.Builder response = ReceiveMessageResponse.builder();
        JsonWire.read(transport.call("ReceiveMessage", request, body, 0), (name, in) -> {
            if (name.equals("Messages")) {
                response.messages(in.objects(LeanSqs::message));
            } else {
                in.skip();
            }
        });
        return response.build();
    }

    private static Message message(JsonWire.Reader in) throws java.io.IOException {
        Message.Builder message = Message.builder();
        in.fields((name, value) -> {
            switch (name) {
                case "MessageId" -> message.messageId(value.string());
                case "ReceiptHandle" -> message.receiptHandle(value.string());
                case "MD5OfBody" -> message.md5OfBody(value.string());
                case "Body" -> message.body(value.string());
                case "Attributes" -> message.attributesWithStrings(value.stringMap());
                default -> value.skip();
            }
        });
        return message.build();
    }

    private static DeleteMessageResponse delete(AwsJsonTransport transport, DeleteMessageRequest request) {
        transport.call("DeleteMessage", request, JsonWire.object(out -> out.string("QueueUrl", request.queueUrl())
                .string("ReceiptHandle", request.receiptHandle())), 0);
        return DeleteMessageResponse.builder().build();
    }

    private static ChangeMessageVisibilityResponse changeVisibility(AwsJsonTransport transport,
                                                                    ChangeMessageVisibilityRequest request) {
        transport.call("ChangeMessageVisibility", request, JsonWire.object(out -> out
                .string("QueueUrl", request.queueUrl())
                .string("ReceiptHandle", request.receiptHandle())
                .number("VisibilityTimeout", request.visibilityTimeout())), 0);
        return ChangeMessageVisibilityResponse.builder().build();
    }


    private static CreateQueueResponse createQueue(AwsJsonTransport transport, CreateQueueRequest request) {
        byte[] answer = transport.call("CreateQueue", request, JsonWire.object(out -> out
                .string("QueueName", request.queueName())
                .stringMap("Attributes", request.attributesAsStrings())
                .stringMap("tags", request.tags())), 0);
        return CreateQueueResponse.builder().queueUrl(queueUrlOf(answer)).build();
    }

    private static GetQueueUrlResponse queueUrl(AwsJsonTransport transport, GetQueueUrlRequest request) {
        byte[] answer = transport.call("GetQueueUrl", request, JsonWire.object(out -> out
                .string("QueueName", request.queueName())
                .string("QueueOwnerAWSAccountId", request.queueOwnerAWSAccountId())), 0);
        return GetQueueUrlResponse.builder().queueUrl(queueUrlOf(answer)).build();
    }

    private static String queueUrlOf(byte[] answer) {
        String[] url = new String[1];
        JsonWire.read(answer, (name, in) -> {
            if (name.equals("QueueUrl")) {
                url[0] = in.string();
            } else {
                in.skip();
            }
        });
        return url[0];
    }

    private static DeleteQueueResponse deleteQueue(AwsJsonTransport transport, DeleteQueueRequest request) {
        transport.call("DeleteQueue", request, JsonWire.object(out -> out.string("QueueUrl", request.queueUrl())), 0);
        return DeleteQueueResponse.builder().build();
    }

    private static ListQueuesResponse listQueues(AwsJsonTransport transport, ListQueuesRequest request) {
        byte[] answer = transport.call("ListQueues", request, JsonWire.object(out -> out
                .string("QueueNamePrefix", request.queueNamePrefix())
                .string("NextToken", request.nextToken())
                .number("MaxResults", request.maxResults())), 0);
        ListQueuesResponse.Builder response = ListQueuesResponse.builder();
        JsonWire.read(answer, (name, in) -> {
            switch (name) {
                case "QueueUrls" -> response.queueUrls(in.strings());
                case "NextToken" -> response.nextToken(in.string());
                default -> in.skip();
            }
        });
        return response.build();
    }

    /** The SDK exception type of an SQS error code (as the JSON protocol names it, or its older query-protocol name). */
    private static AwsServiceException.Builder errorBuilder(String code, byte[] body) {
        return switch (code) {
            case "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue" -> QueueDoesNotExistException.builder();
            case "ReceiptHandleIsInvalid" -> ReceiptHandleIsInvalidException.builder();
            case "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight" -> MessageNotInflightException.builder();
            case "InvalidMessageContents" -> InvalidMessageContentsException.builder();
            case "OverLimit" -> OverLimitException.builder();
            case "RequestThrottled" -> RequestThrottledException.builder();
            case "QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently" -> QueueDeletedRecentlyException.builder();
            case "QueueNameExists", "QueueAlreadyExists" -> QueueNameExistsException.builder();
            case "InvalidAddress" -> InvalidAddressException.builder();
            case "InvalidSecurity" -> InvalidSecurityException.builder();
            default -> SqsException.builder();
        };
    }
}
