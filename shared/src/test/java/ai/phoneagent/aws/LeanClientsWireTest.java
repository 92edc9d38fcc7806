package ai.phoneagent.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.ThrottlingException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The lean DynamoDB and SQS clients against a real HTTP server, each request beside the same request sent by the SDK's
 * own client: the same JSON body and target, the same parsed answers, the same exception types with the same details,
 * retries as the SDK retries, and requests the lean code does not write handed to the SDK.
 */
class LeanClientsWireTest {
    private static final Map<String, AttributeValue> EVERY_TYPE = Map.of(
            "s", AttributeValue.fromS("tèxt \"quoted\" \n"),
            "n", AttributeValue.fromN("-12.5e3"),
            "b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, 1, (byte) 0xff})),
            "bool", AttributeValue.fromBool(false),
            "nul", AttributeValue.fromNul(true),
            "ss", AttributeValue.fromSs(List.of("a", "b")),
            "ns", AttributeValue.fromNs(List.of("1", "2.5")),
            "bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("x"))),
            "m", AttributeValue.fromM(Map.of("inner", AttributeValue.fromL(List.of(AttributeValue.fromS("deep"),
                    AttributeValue.fromM(Map.of()), AttributeValue.fromL(List.of())))))
    );
    private static final Map<String, AttributeValue> KEY = Map.of("pk", AttributeValue.fromS("CALL#1"),
            "sk", AttributeValue.fromS("META"));

    private MockWebServer server;
    private AwsClients clients;
    private DynamoDbClient lean;
    private DynamoDbClient sdk;
    private SqsClient leanSqs;
    private SqsClient sdkSqs;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        URI endpoint = server.url("/").uri();
        clients = new AwsClients(new AwsSettings("us-east-1", Optional.of(endpoint), Optional.of(endpoint),
                Optional.of(new AwsSettings.StaticKeys("local", "local")),
                new AwsTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(5))));
        lean = clients.dynamo();
        sdk = clients.sdkDynamo();
        leanSqs = clients.sqs();
        sdkSqs = clients.sdkSqs();
    }

    @AfterEach
    void stop() throws Exception {
        lean.close();
        sdk.close();
        leanSqs.close();
        sdkSqs.close();
        server.close();
    }

    private void answer(int status, String body) {
        server.enqueue(new MockResponse.Builder().code(status).setHeader("Content-Type", AwsJsonTransport.CONTENT_TYPE)
                .setHeader("x-amzn-RequestId", "req-1").body(body).build());
    }

    private RecordedRequest taken() throws InterruptedException {
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request).as("a request reached the server").isNotNull();
        return request;
    }

    /** Sends the same request through the lean client and the SDK's, each answered {@code answer}; both bodies. */
    private <C> ObjectNode[] bothBodies(C leanClient, C sdkClient, String answer, java.util.function.Consumer<C> call)
            throws Exception {
        answer(200, answer);
        answer(200, answer);
        call.accept(leanClient);
        RecordedRequest fromLean = taken();
        call.accept(sdkClient);
        RecordedRequest fromSdk = taken();
        assertThat(fromLean.getHeaders().get("X-Amz-Target")).isEqualTo(fromSdk.getHeaders().get("X-Amz-Target"));
        assertThat(fromLean.getHeaders().get("Content-Type")).isEqualTo(AwsJsonTransport.CONTENT_TYPE);
        assertThat(fromLean.getHeaders().get("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=local/");
        assertThat(fromLean.getHeaders().get("amz-sdk-invocation-id")).as("the lean path, not the SDK's").isNull();
        return new ObjectNode[] {(ObjectNode) Json.parse(fromLean.getBody().utf8()), (ObjectNode) Json.parse(fromSdk.getBody().utf8())};
    }

    private <C> void sameBody(C leanClient, C sdkClient, String answer, java.util.function.Consumer<C> call)
            throws Exception {
        ObjectNode[] bodies = bothBodies(leanClient, sdkClient, answer, call);
        assertThat(bodies[0]).isEqualTo(bodies[1]);
    }

    @Test
    void everyItemOperationSendsTheBodyTheSdkSends() throws Exception {
        sameBody(lean, sdk, "{}", c -> c.getItem(b -> b.tableName("calls").key(KEY).consistentRead(true)
                .projectionExpression("#s, pk").expressionAttributeNames(Map.of("#s", "status"))));
        sameBody(lean, sdk, "{}", c -> c.putItem(b -> b.tableName("calls").item(EVERY_TYPE)
                .conditionExpression("attribute_not_exists(pk) OR #v < :v")
                .expressionAttributeNames(Map.of("#v", "version")).expressionAttributeValues(Map.of(":v", AttributeValue.fromN("3")))
                .returnValues(ReturnValue.ALL_OLD)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
        sameBody(lean, sdk, "{}", c -> c.updateItem(b -> b.tableName("calls").key(KEY)
                .updateExpression("SET #s = :s REMOVE gone").conditionExpression("#s <> :s")
                .expressionAttributeNames(Map.of("#s", "status")).expressionAttributeValues(Map.of(":s", AttributeValue.fromS("ENDED")))
                .returnValues(ReturnValue.UPDATED_NEW)));
        sameBody(lean, sdk, "{}", c -> c.deleteItem(b -> b.tableName("calls").key(KEY).conditionExpression("attribute_exists(pk)")
                .returnValues(ReturnValue.ALL_OLD)));
        sameBody(lean, sdk, "{}", c -> c.query(b -> b.tableName("calls").indexName("byStatus")
                .keyConditionExpression("pk = :pk AND begins_with(sk, :p)").filterExpression("attribute_exists(x)")
                .projectionExpression("pk, sk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("a"),
                        ":p", AttributeValue.fromS("LINE#"))).scanIndexForward(false).limit(25)
                .exclusiveStartKey(KEY).consistentRead(false).select(Select.SPECIFIC_ATTRIBUTES)));
        sameBody(lean, sdk, "{}", c -> c.transactWriteItems(b -> b.clientRequestToken("token-1").transactItems(
                TransactWriteItem.builder().put(p -> p.tableName("calls").item(EVERY_TYPE).conditionExpression("attribute_not_exists(pk)")
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).build(),
                TransactWriteItem.builder().update(u -> u.tableName("calls").key(KEY).updateExpression("SET a = :a")
                        .expressionAttributeValues(Map.of(":a", AttributeValue.fromN("1")))).build(),
                TransactWriteItem.builder().delete(d -> d.tableName("calls").key(KEY)).build(),
                TransactWriteItem.builder().conditionCheck(k -> k.tableName("calls").key(KEY)
                        .conditionExpression("#s = :s").expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("LIVE")))).build())));
    }

    @Test
    void aTransactionWithoutATokenGetsOneAsTheSdksDoes() throws Exception {
        ObjectNode[] bodies = bothBodies(lean, sdk, "{}", c -> c.transactWriteItems(b -> b.transactItems(
                TransactWriteItem.builder().delete(d -> d.tableName("calls").key(KEY)).build())));
        assertThat(bodies[0].path("ClientRequestToken").asText()).isNotBlank();
        JsonNode leanWithout = bodies[0].without("ClientRequestToken");
        JsonNode sdkWithout = bodies[1].without("ClientRequestToken");
        assertThat(leanWithout).isEqualTo(sdkWithout);
    }

    @Test
    void everyMessageOperationSendsTheBodyTheSdkSends() throws Exception {
        String body = "{\"callId\":\"rtc_1\",\"text\":\"hé\"}";
        sameBody(leanSqs, sdkSqs, "{\"MessageId\":\"m-1\",\"MD5OfMessageBody\":\"" + md5(body) + "\"}",
                c -> c.sendMessage(b -> b.queueUrl("http://sqs.local/000000000000/calls").messageBody(body).delaySeconds(3)));
        sameBody(leanSqs, sdkSqs, "{}", c -> c.receiveMessage(b -> b.queueUrl("http://sqs.local/000000000000/calls")
                .maxNumberOfMessages(10).waitTimeSeconds(0).visibilityTimeout(30)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
                .overrideConfiguration(AwsTimeouts.longPoll(0))));
        sameBody(leanSqs, sdkSqs, "{}", c -> c.deleteMessage(b -> b.queueUrl("http://sqs.local/000000000000/calls")
                .receiptHandle("rh+/=")));
        sameBody(leanSqs, sdkSqs, "{}", c -> c.changeMessageVisibility(b -> b.queueUrl("http://sqs.local/000000000000/calls")
                .receiptHandle("rh").visibilityTimeout(0)));
        sameBody(leanSqs, sdkSqs, "{\"QueueUrl\":\"http://sqs.local/1/q\"}", c -> c.createQueue(b -> b.queueName("q")
                .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "600", QueueAttributeName.VISIBILITY_TIMEOUT, "30"))
                .tags(Map.of("call", "rtc_1"))));
        sameBody(leanSqs, sdkSqs, "{\"QueueUrl\":\"http://sqs.local/1/q\"}", c -> c.getQueueUrl(b -> b.queueName("q")
                .queueOwnerAWSAccountId("000000000000")));
        sameBody(leanSqs, sdkSqs, "{}", c -> c.deleteQueue(b -> b.queueUrl("http://sqs.local/1/q")));
        sameBody(leanSqs, sdkSqs, "{}", c -> c.listQueues(b -> b.queueNamePrefix("call-control-").maxResults(1000)
                .nextToken("page-2")));
    }

    /** Answers both clients with {@code answer} and expects equal parsed results. */
    private <C, R extends SdkPojo> R sameAnswer(C leanClient, C sdkClient, String answer, Function<C, R> call) throws InterruptedException {
        answer(200, answer);
        answer(200, answer);
        R fromLean = call.apply(leanClient);
        R fromSdk = call.apply(sdkClient);
        taken();
        taken();
        // the model's fields; the SDK's answer also holds its HTTP response's metadata, which nothing here reads
        assertThat(fromLean.equalsBySdkFields(fromSdk)).as(fromLean + " parsed as the SDK parses it: " + fromSdk).isTrue();
        return fromLean;
    }

    @Test
    void answersParseToTheSdksOwnModelObjects() throws Exception {
        String item = Json.write(itemJson());
        var got = sameAnswer(lean, sdk, "{\"Item\":" + item + ",\"AFieldAddedLater\":{\"x\":[1,{\"y\":null}]}}",
                c -> c.getItem(b -> b.tableName("calls").key(KEY)));
        assertThat(got.item()).isEqualTo(EVERY_TYPE);
        assertThat(sameAnswer(lean, sdk, "{}", c -> c.getItem(b -> b.tableName("calls").key(KEY))).hasItem()).isFalse();
        sameAnswer(lean, sdk, "{\"Attributes\":" + item + "}", c -> c.updateItem(b -> b.tableName("calls").key(KEY)
                .updateExpression("SET a = :a").expressionAttributeValues(Map.of(":a", AttributeValue.fromN("1")))
                .returnValues(ReturnValue.ALL_NEW)));
        var page = sameAnswer(lean, sdk, "{\"Items\":[" + item + ",{\"pk\":{\"S\":\"2\"}}],\"Count\":2,\"ScannedCount\":5,"
                + "\"LastEvaluatedKey\":{\"pk\":{\"S\":\"2\"}}}", c -> c.query(b -> b.tableName("calls")
                .keyConditionExpression("pk = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("a")))));
        assertThat(page.items()).hasSize(2);
        assertThat(page.lastEvaluatedKey()).containsKey("pk");

        String body = "hello";
        var received = sameAnswer(leanSqs, sdkSqs, "{\"Messages\":[{\"MessageId\":\"m1\",\"ReceiptHandle\":\"r1\",\"MD5OfBody\":\""
                + md5(body) + "\",\"Body\":\"" + body + "\",\"Attributes\":{\"ApproximateReceiveCount\":\"3\"}}]}",
                c -> c.receiveMessage(b -> b.queueUrl("http://sqs.local/1/q").messageSystemAttributeNames(
                        MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)));
        assertThat(received.messages().getFirst().attributesAsStrings()).containsEntry("ApproximateReceiveCount", "3");
        assertThat(sameAnswer(leanSqs, sdkSqs, "{\"QueueUrl\":\"http://sqs.local/1/made\"}", c -> c.createQueue(b -> b
                .queueName("made"))).queueUrl()).isEqualTo("http://sqs.local/1/made");
        assertThat(sameAnswer(leanSqs, sdkSqs, "{\"MessageId\":\"m-9\",\"MD5OfMessageBody\":\"" + md5(body) + "\"}",
                c -> c.sendMessage(b -> b.queueUrl("http://sqs.local/1/q").messageBody(body))).messageId()).isEqualTo("m-9");
    }

    private static JsonNode itemJson() {
        ObjectNode item = Json.object();
        item.putObject("s").put("S", "tèxt \"quoted\" \n");
        item.putObject("n").put("N", "-12.5e3");
        item.putObject("b").put("B", "AAH/");
        item.putObject("bool").put("BOOL", false);
        item.putObject("nul").put("NULL", true);
        item.putObject("ss").putArray("SS").add("a").add("b");
        item.putObject("ns").putArray("NS").add("1").add("2.5");
        item.putObject("bs").putArray("BS").add("eA==");
        ObjectNode inner = item.putObject("m").putObject("M").putObject("inner");
        var list = inner.putArray("L");
        list.addObject().put("S", "deep");
        list.addObject().putObject("M");
        list.addObject().putArray("L");
        return item;
    }

    /** Answers both clients with the error {@code answer} and returns both exceptions. */
    private <C> RuntimeException[] bothFail(C leanClient, C sdkClient, int status, String answer,
                                            java.util.function.Consumer<C> call) {
        RuntimeException[] thrown = new RuntimeException[2];
        for (int i = 0; i < 2; i++) {
            answer(status, answer);
            C client = i == 0 ? leanClient : sdkClient;
            thrown[i] = (RuntimeException) org.assertj.core.api.Assertions.catchThrowable(() -> call.accept(client));
        }
        assertThat(thrown[0]).isNotNull().hasSameClassAs(thrown[1]);
        return thrown;
    }

    @Test
    void errorsAreTheSdksExceptionTypesWithTheirDetails() {
        RuntimeException[] failed = bothFail(lean, sdk, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                + "ConditionalCheckFailedException\",\"message\":\"The conditional request failed\",\"Item\":{\"pk\":{\"S\":\"a\"},"
                + "\"status\":{\"S\":\"ENDED\"}}}", c -> c.putItem(b -> b.tableName("calls").item(KEY)
                .conditionExpression("attribute_not_exists(pk)")
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
        var leanCheck = (ConditionalCheckFailedException) failed[0];
        var sdkCheck = (ConditionalCheckFailedException) failed[1];
        assertThat(leanCheck.item()).isEqualTo(sdkCheck.item()).containsEntry("status", AttributeValue.fromS("ENDED"));
        assertThat(leanCheck.statusCode()).isEqualTo(400);
        assertThat(leanCheck.awsErrorDetails().errorCode()).isEqualTo(sdkCheck.awsErrorDetails().errorCode());
        assertThat(leanCheck.awsErrorDetails().errorMessage()).isEqualTo(sdkCheck.awsErrorDetails().errorMessage());
        assertThat(leanCheck.requestId()).isEqualTo("req-1");

        failed = bothFail(lean, sdk, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\","
                + "\"Message\":\"Transaction cancelled, please refer cancellation reasons for specific reasons "
                + "[None, ConditionalCheckFailed]\",\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":"
                + "\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed\",\"Item\":{\"pk\":{\"S\":\"b\"}}}]}",
                c -> c.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder()
                        .delete(d -> d.tableName("calls").key(KEY)).build())));
        var leanCancel = (TransactionCanceledException) failed[0];
        assertThat(leanCancel.cancellationReasons()).isEqualTo(((TransactionCanceledException) failed[1]).cancellationReasons());
        assertThat(leanCancel.cancellationReasons().get(1).code()).isEqualTo("ConditionalCheckFailed");

        failed = bothFail(lean, sdk, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
                + "\"message\":\"Requested resource not found\"}", c -> c.getItem(b -> b.tableName("nope").key(KEY)));
        assertThat(failed[0]).isInstanceOf(ResourceNotFoundException.class);

        failed = bothFail(lean, sdk, 400, "{\"__type\":\"com.amazon.coral.validate#ValidationException\","
                + "\"message\":\"One or more parameter values were invalid\"}", c -> c.getItem(b -> b.tableName("calls").key(KEY)));
        assertThat(((DynamoDbException) failed[0]).awsErrorDetails().errorCode())
                .isEqualTo(((DynamoDbException) failed[1]).awsErrorDetails().errorCode()).isEqualTo("ValidationException");

        failed = bothFail(leanSqs, sdkSqs, 400, "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\","
                + "\"message\":\"The specified queue does not exist.\"}", c -> c.deleteMessage(b -> b.queueUrl("http://sqs.local/1/gone")
                .receiptHandle("r")));
        assertThat(failed[0]).isInstanceOf(QueueDoesNotExistException.class);
    }

    @Test
    void aServerErrorOrThrottlingIsRetriedAndAClientErrorIsNot() throws Exception {
        answer(503, "");
        answer(400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\",\"message\":\"slow down\"}");
        answer(200, "{\"Item\":{\"pk\":{\"S\":\"CALL#1\"}}}");
        long before = AwsRequestCounter.GLOBAL.snapshot().getOrDefault("DynamoDb.GetItem", 0L);

        assertThat(lean.getItem(b -> b.tableName("calls").key(KEY)).item()).containsKey("pk");
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(AwsRequestCounter.GLOBAL.snapshot().get("DynamoDb.GetItem") - before).as("each attempt counted")
                .isGreaterThanOrEqualTo(3);

        for (int i = 0; i < AwsJsonTransport.MAX_ATTEMPTS; i++) {
            answer(400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\",\"message\":\"slow down\"}");
        }
        assertThatThrownBy(() -> lean.getItem(b -> b.tableName("calls").key(KEY))).isInstanceOf(ThrottlingException.class);
        assertThat(server.getRequestCount()).isEqualTo(3 + AwsJsonTransport.MAX_ATTEMPTS);

        answer(400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\",\"message\":\"no\"}");
        answer(200, "{}"); // would be taken by a wrong retry
        assertThatThrownBy(() -> lean.deleteItem(b -> b.tableName("calls").key(KEY).conditionExpression("attribute_exists(pk)")))
                .isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(server.getRequestCount()).isEqualTo(4 + AwsJsonTransport.MAX_ATTEMPTS);
    }

    @Test
    void aTransactionsItemsAreCountedForThePriceOfItsWrites() throws Exception {
        answer(200, "{}");
        long items = AwsRequestCounter.GLOBAL.snapshot().getOrDefault("DynamoDb.TransactWriteItems.items", 0L);
        lean.transactWriteItems(b -> b.transactItems(
                TransactWriteItem.builder().delete(d -> d.tableName("calls").key(KEY)).build(),
                TransactWriteItem.builder().conditionCheck(k -> k.tableName("calls").key(KEY).conditionExpression("attribute_exists(pk)")).build()));
        taken();
        assertThat(AwsRequestCounter.GLOBAL.snapshot().get("DynamoDb.TransactWriteItems.items") - items).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anAnswerThatIsNotJsonIsAnAwsCallsFailure() {
        answer(200, "<html>proxy error</html>");
        assertThatThrownBy(() -> lean.getItem(b -> b.tableName("calls").key(KEY)))
                .isInstanceOf(SdkClientException.class).hasMessageContaining("DynamoDb.GetItem failed: malformed answer");
        answer(502, "<html>bad gateway</html>");
        answer(502, "<html>bad gateway</html>");
        answer(502, "<html>bad gateway</html>");
        assertThatThrownBy(() -> leanSqs.deleteMessage(b -> b.queueUrl("http://sqs.local/1/q").receiptHandle("r")))
                .isInstanceOfSatisfying(software.amazon.awssdk.services.sqs.model.SqsException.class,
                        e -> assertThat(e.statusCode()).isEqualTo(502));
    }

    @Test
    void aRequestWithAFieldTheLeanCodeDoesNotWriteGoesToTheSdk() throws Exception {
        answer(200, "{}");
        lean.getItem(b -> b.tableName("calls").key(KEY).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        RecordedRequest sent = taken();
        assertThat(sent.getHeaders().get("amz-sdk-invocation-id")).as("sent by the SDK").isNotNull();
        assertThat(Json.parse(sent.getBody().utf8()).path("ReturnConsumedCapacity").asText()).isEqualTo("TOTAL");

        answer(200, "{}");
        lean.getItem(b -> b.tableName("calls").key(KEY)
                .overrideConfiguration(o -> o.putHeader("X-Extra", "1")));
        assertThat(taken().getHeaders().get("X-Extra")).as("an override the lean path cannot honour: the SDK's").isEqualTo("1");
    }

    @Test
    void aPaginatorOfALeanOperationIsTheSdksAndPagesThroughTheLeanClient() throws Exception {
        answer(200, "{\"Items\":[{\"pk\":{\"S\":\"1\"}}],\"Count\":1,\"LastEvaluatedKey\":{\"pk\":{\"S\":\"1\"}}}");
        answer(200, "{\"Items\":[{\"pk\":{\"S\":\"2\"}}],\"Count\":1}");

        var items = lean.queryPaginator(b -> b.tableName("calls").keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("a")))).items().stream().toList();

        assertThat(items).extracting(item -> item.get("pk").s()).containsExactly("1", "2");
        RecordedRequest first = taken();
        RecordedRequest second = taken();
        assertThat(first.getHeaders().get("amz-sdk-invocation-id")).as("each page a lean query").isNull();
        assertThat(Json.parse(first.getBody().utf8()).has("ExclusiveStartKey")).isFalse();
        assertThat(Json.parse(second.getBody().utf8()).path("ExclusiveStartKey").path("pk").path("S").asText()).isEqualTo("1");
    }

    @Test
    void theControlQueuesAreListedPageByPageOnTheLeanPath() throws Exception {
        answer(200, "{\"QueueUrls\":[\"http://sqs.local/1/call-control-a\"],\"NextToken\":\"t2\"}");
        answer(200, "{\"QueueUrls\":[\"http://sqs.local/1/call-control-b\"]}");

        var urls = leanSqs.listQueuesPaginator(b -> b.queueNamePrefix("call-control-").maxResults(1000)).queueUrls()
                .stream().toList();

        assertThat(urls).containsExactly("http://sqs.local/1/call-control-a", "http://sqs.local/1/call-control-b");
        assertThat(taken().getHeaders().get("amz-sdk-invocation-id")).isNull();
        assertThat(Json.parse(taken().getBody().utf8()).path("NextToken").asText()).isEqualTo("t2");
    }

    @Test
    void secretsAreNeitherInFailuresNorInTheClientsDescription() {
        assertThatThrownBy(() -> {
            server.close();
            lean.getItem(b -> b.tableName("calls").key(KEY));
        }).isInstanceOf(SdkClientException.class)
                .hasMessageContaining("DynamoDb.GetItem at " + server.url("/").uri().toString().replaceAll("/$", ""))
                .hasMessageNotContaining("Signature=");
        assertThat(AwsFailures.of(org.assertj.core.api.Assertions.catchThrowable(
                () -> lean.getItem(b -> b.tableName("calls").key(KEY))))).hasValueSatisfying(
                failure -> assertThat(failure.operation()).isEqualTo("GetItem"));
        assertThat(lean.toString()).doesNotContain("local/");
    }

    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
