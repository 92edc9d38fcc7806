package ai.phoneagent.aws;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.IdempotentParameterMismatchException;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.ItemCollectionSizeLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ThrottlingException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
import software.amazon.awssdk.services.dynamodb.model.TransactionInProgressException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The DynamoDB client of every part: {@code GetItem}, {@code PutItem}, {@code UpdateItem}, {@code DeleteItem},
 * {@code Query} and {@code TransactWriteItems} (every item operation the system makes) go straight to DynamoDB's JSON
 * protocol through {@link AwsJsonTransport}; the rest (table set-up, tests' reads) through the SDK. Answers and errors
 * are the SDK's model types, {@code ConditionalCheckFailedException} with its old item and
 * {@code TransactionCanceledException} with its reasons included.
 */
final class LeanDynamoDb {
    static final String SERVICE = "DynamoDb";
    private static final Set<String> EXPRESSION_MEMBERS = Set.of("TableName", "ConditionExpression",
            "ExpressionAttributeNames", "ExpressionAttributeValues", "ReturnValuesOnConditionCheckFailure");

    private LeanDynamoDb() {
    }

    static AwsJsonTransport transport(java.net.URI endpoint, String region,
                                      software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials,
                                      AwsTimeouts timeouts, AwsJsonTransport.Wire wire) {
        return new AwsJsonTransport(SERVICE, "dynamodb", "DynamoDB_20120810.", endpoint, region, credentials, timeouts,
                wire, LeanDynamoDb::errorBuilder);
    }

    /** A {@link DynamoDbClient} on {@code transport}, with {@code sdk} for what the lean operations do not take. */
    static DynamoDbClient client(AwsJsonTransport transport, Supplier<DynamoDbClient> sdk) {
        var operations = LeanOperations.byRequestType(
                LeanOperations.Operation.of(GetItemRequest.builder().build(),
                        Set.of("TableName", "Key", "ConsistentRead", "ProjectionExpression", "ExpressionAttributeNames"),
                        request -> getItem(transport, request)),
                LeanOperations.Operation.of(PutItemRequest.builder().build(),
                        with(EXPRESSION_MEMBERS, "Item", "ReturnValues"), request -> putItem(transport, request)),
                LeanOperations.Operation.of(UpdateItemRequest.builder().build(),
                        with(EXPRESSION_MEMBERS, "Key", "UpdateExpression", "ReturnValues"),
                        request -> updateItem(transport, request)),
                LeanOperations.Operation.of(DeleteItemRequest.builder().build(),
                        with(EXPRESSION_MEMBERS, "Key", "ReturnValues"), request -> deleteItem(transport, request)),
                LeanOperations.Operation.of(QueryRequest.builder().build(),
                        Set.of("TableName", "IndexName", "KeyConditionExpression", "FilterExpression",
                                "ProjectionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
                                "ScanIndexForward", "Limit", "ExclusiveStartKey", "ConsistentRead", "Select"),
                        request -> query(transport, request)),
                LeanOperations.Operation.of(TransactWriteItemsRequest.builder().build(),
                        Set.of("TransactItems", "ClientRequestToken"), request -> transactWriteItems(transport, request)));
        return LeanOperations.client(DynamoDbClient.class, SERVICE, operations, sdk, transport::close);
    }

    private static Set<String> with(Set<String> base, String... more) {
        var all = new java.util.HashSet<>(base);
        all.addAll(List.of(more));
        return Set.copyOf(all);
    }

    private static GetItemResponse getItem(AwsJsonTransport transport, GetItemRequest request) {
        byte[] body = JsonWire.object(out -> out.string("TableName", request.tableName())
                .attributes("Key", request.key())
                .bool("ConsistentRead", request.consistentRead())
                .string("ProjectionExpression", request.projectionExpression())
                .stringMap("ExpressionAttributeNames", request.expressionAttributeNames()));
        GetItemResponse.Builder response = GetItemResponse.builder();
        JsonWire.read(transport.call("GetItem", request, body, 0), (name, in) -> {
            if (name.equals("Item")) {
                response.item(in.attributes());
            } else {
                in.skip();
            }
        });
        return response.build();
    }

    private static PutItemResponse putItem(AwsJsonTransport transport, PutItemRequest request) {
        byte[] body = JsonWire.object(out -> {
            out.string("TableName", request.tableName()).attributes("Item", request.item());
            expressions(out, request.conditionExpression(), request.expressionAttributeNames(),
                    request.expressionAttributeValues(), request.returnValuesOnConditionCheckFailureAsString());
            out.string("ReturnValues", request.returnValuesAsString());
        });
        PutItemResponse.Builder response = PutItemResponse.builder();
        readAttributes(transport.call("PutItem", request, body, 0), response::attributes);
        return response.build();
    }

    private static UpdateItemResponse updateItem(AwsJsonTransport transport, UpdateItemRequest request) {
        byte[] body = JsonWire.object(out -> {
            out.string("TableName", request.tableName()).attributes("Key", request.key())
                    .string("UpdateExpression", request.updateExpression());
            expressions(out, request.conditionExpression(), request.expressionAttributeNames(),
                    request.expressionAttributeValues(), request.returnValuesOnConditionCheckFailureAsString());
            out.string("ReturnValues", request.returnValuesAsString());
        });
        UpdateItemResponse.Builder response = UpdateItemResponse.builder();
        readAttributes(transport.call("UpdateItem", request, body, 0), response::attributes);
        return response.build();
    }

    private static DeleteItemResponse deleteItem(AwsJsonTransport transport, DeleteItemRequest request) {
        byte[] body = JsonWire.object(out -> {
            out.string("TableName", request.tableName()).attributes("Key", request.key());
            expressions(out, request.conditionExpression(), request.expressionAttributeNames(),
                    request.expressionAttributeValues(), request.returnValuesOnConditionCheckFailureAsString());
            out.string("ReturnValues", request.returnValuesAsString());
        });
        DeleteItemResponse.Builder response = DeleteItemResponse.builder();
        readAttributes(transport.call("DeleteItem", request, body, 0), response::attributes);
        return response.build();
    }

    private static QueryResponse query(AwsJsonTransport transport, QueryRequest request) {
        byte[] body = JsonWire.object(out -> out.string("TableName", request.tableName())
                .string("IndexName", request.indexName())
                .string("KeyConditionExpression", request.keyConditionExpression())
                .string("FilterExpression", request.filterExpression())
                .string("ProjectionExpression", request.projectionExpression())
                .stringMap("ExpressionAttributeNames", request.expressionAttributeNames())
                .attributes("ExpressionAttributeValues", request.expressionAttributeValues())
                .bool("ScanIndexForward", request.scanIndexForward())
                .number("Limit", request.limit())
                .attributes("ExclusiveStartKey", request.exclusiveStartKey())
                .bool("ConsistentRead", request.consistentRead())
                .string("Select", request.selectAsString()));
        QueryResponse.Builder response = QueryResponse.builder();
        JsonWire.read(transport.call("Query", request, body, 0), (name, in) -> {
            switch (name) {
                case "Items" -> response.items(in.objects(JsonWire.Reader::attributes));
                case "Count" -> response.count(in.integer());
                case "ScannedCount" -> response.scannedCount(in.integer());
                case "LastEvaluatedKey" -> response.lastEvaluatedKey(in.attributes());
                default -> in.skip();
            }
        });
        return response.build();
    }

    private static TransactWriteItemsResponse transactWriteItems(AwsJsonTransport transport,
                                                                  TransactWriteItemsRequest request) {
        // as the SDK does: a token of its own when the caller set none, so a retry after a lost answer is not applied
        // twice (DynamoDB answers a repeated token with the first outcome for 10 minutes)
        String token = request.clientRequestToken() != null ? request.clientRequestToken() : UUID.randomUUID().toString();
        byte[] body = JsonWire.object(out -> out
                .objects("TransactItems", request.transactItems(), LeanDynamoDb::transactItem)
                .string("ClientRequestToken", token));
        transport.call("TransactWriteItems", request, body, request.transactItems().size());
        return TransactWriteItemsResponse.builder().build();
    }

    private static void transactItem(JsonWire.Writer out, TransactWriteItem item) throws IOException {
        if (item.put() != null) {
            Put put = item.put();
            out.object("Put", o -> {
                o.string("TableName", put.tableName()).attributes("Item", put.item());
                expressions(o, put.conditionExpression(), put.expressionAttributeNames(), put.expressionAttributeValues(),
                        put.returnValuesOnConditionCheckFailureAsString());
            });
        } else if (item.update() != null) {
            Update update = item.update();
            out.object("Update", o -> {
                o.string("TableName", update.tableName()).attributes("Key", update.key())
                        .string("UpdateExpression", update.updateExpression());
                expressions(o, update.conditionExpression(), update.expressionAttributeNames(),
                        update.expressionAttributeValues(), update.returnValuesOnConditionCheckFailureAsString());
            });
        } else if (item.delete() != null) {
            Delete delete = item.delete();
            out.object("Delete", o -> {
                o.string("TableName", delete.tableName()).attributes("Key", delete.key());
                expressions(o, delete.conditionExpression(), delete.expressionAttributeNames(),
                        delete.expressionAttributeValues(), delete.returnValuesOnConditionCheckFailureAsString());
            });
        } else if (item.conditionCheck() != null) {
            ConditionCheck check = item.conditionCheck();
            out.object("ConditionCheck", o -> {
                o.string("TableName", check.tableName()).attributes("Key", check.key());
                expressions(o, check.conditionExpression(), check.expressionAttributeNames(),
                        check.expressionAttributeValues(), check.returnValuesOnConditionCheckFailureAsString());
            });
        } else {
            throw new IllegalArgumentException("a transaction item with no operation");
        }
    }

    private static void expressions(JsonWire.Writer out, String condition, Map<String, String> names,
                                    Map<String, AttributeValue> values, String returnOnFailure) throws IOException {
        out.string("ConditionExpression", condition)
                .stringMap("ExpressionAttributeNames", names)
                .attributes("ExpressionAttributeValues", values)
                .string("ReturnValuesOnConditionCheckFailure", returnOnFailure);
    }


    private static void readAttributes(byte[] answer, java.util.function.Consumer<Map<String, AttributeValue>> attributes) {
        JsonWire.read(answer, (name, in) -> {
            if (name.equals("Attributes")) {
                attributes.accept(in.attributes());
            } else {
                in.skip();
            }
        });
    }

    /** The SDK exception type of a DynamoDB error code, with the old item or the cancellation reasons it carries. */
    private static AwsServiceException.Builder errorBuilder(String code, byte[] body) {
        return switch (code) {
            case "ConditionalCheckFailedException" -> {
                var builder = ConditionalCheckFailedException.builder();
                JsonWire.read(body, (name, in) -> {
                    if (name.equals("Item")) {
                        builder.item(in.attributes());
                    } else {
                        in.skip();
                    }
                });
                yield builder;
            }
            case "TransactionCanceledException" -> {
                List<CancellationReason> reasons = new ArrayList<>();
                JsonWire.read(body, (name, in) -> {
                    if (name.equals("CancellationReasons")) {
                        reasons.addAll(in.objects(LeanDynamoDb::cancellationReason));
                    } else {
                        in.skip();
                    }
                });
                yield TransactionCanceledException.builder().cancellationReasons(reasons);
            }
            case "ResourceNotFoundException" -> ResourceNotFoundException.builder();
            case "ResourceInUseException" -> ResourceInUseException.builder();
            case "ProvisionedThroughputExceededException" -> ProvisionedThroughputExceededException.builder();
            case "RequestLimitExceeded" -> RequestLimitExceededException.builder();
            case "ThrottlingException" -> ThrottlingException.builder();
            case "LimitExceededException" -> LimitExceededException.builder();
            case "TransactionConflictException" -> TransactionConflictException.builder();
            case "TransactionInProgressException" -> TransactionInProgressException.builder();
            case "IdempotentParameterMismatchException" -> IdempotentParameterMismatchException.builder();
            case "ItemCollectionSizeLimitExceededException" -> ItemCollectionSizeLimitExceededException.builder();
            case "InternalServerError" -> InternalServerErrorException.builder();
            default -> DynamoDbException.builder();
        };
    }

    private static CancellationReason cancellationReason(JsonWire.Reader in) throws IOException {
        var reason = CancellationReason.builder();
        in.fields((name, value) -> {
            switch (name) {
                case "Code" -> reason.code(value.string());
                case "Message" -> reason.message(value.string());
                case "Item" -> reason.item(value.attributes());
                default -> value.skip();
            }
        });
        return reason.build();
    }
}
