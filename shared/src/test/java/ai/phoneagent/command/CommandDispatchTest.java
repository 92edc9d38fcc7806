package ai.phoneagent.command;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The request shapes of {@link CommandDispatch}, checked against what {@link CommandStore} writes (a recording
 * client; the behaviour against a real engine is covered by control-lambda's integration suite).
 */
class CommandDispatchTest {
    private final List<Object> requests = new ArrayList<>();

    private DynamoDbClient recordingClient(Map<String, AttributeValue> getItemAnswer) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault() && (args == null || !(args[0] instanceof software.amazon.awssdk.core.SdkRequest))) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            requests.add(args == null ? method.getName() : args[0]);
            return switch (method.getName()) {
                case "transactWriteItems" -> TransactWriteItemsResponse.builder().build();
                case "getItem" -> GetItemResponse.builder().item(getItemAnswer).build();
                case "updateItem" -> UpdateItemResponse.builder().build();
                case "serviceName" -> "dynamodb";
                default -> null;
            };
        };
        return (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
                new Class<?>[] {DynamoDbClient.class}, handler);
    }

    @Test
    void findsTheIdempotencyMarkerUnderTheKeyTheCommandStoreWrites() {
        DynamoDbClient client = recordingClient(Map.of("commandId", AttributeValue.fromS("cmd_1")));
        new CommandStore(client, "calls").create(Command.pending("rtc_1", "cmd_1", CommandType.HANGUP, Json.object(),
                "key-1", Instant.EPOCH));
        var written = (TransactWriteItemsRequest) requests.getFirst();
        var markerKey = written.transactItems().getFirst().put().item().get("sk").s();

        assertThat(new CommandDispatch(client, "calls").commandIdForKey("rtc_1", "key-1")).contains("cmd_1");
        var read = (GetItemRequest) requests.getLast();
        assertThat(read.key().get("sk").s()).isEqualTo(markerKey).isEqualTo(CommandDispatch.idempotencyMarkerKey("key-1"));
        assertThat(read.key().get("pk").s()).isEqualTo("CALL#rtc_1");
        assertThat(read.consistentRead()).isTrue();
    }

    @Test
    void aStrandedCommandIsOnlyClaimedWhenPendingUnsentOldAndUnleased() {
        DynamoDbClient client = recordingClient(Map.of());
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        assertThat(new CommandDispatch(client, "calls").claimStranded("rtc_1", "cmd_1", now, Duration.ofSeconds(30)))
                .isTrue();
        var update = (UpdateItemRequest) requests.getLast();
        assertThat(update.key().get("sk").s()).isEqualTo("CMD#cmd_1");
        assertThat(update.conditionExpression()).contains("#status = :pending", "attribute_not_exists(#sentAt)",
                "requestedAt < :stale", "#lease < :now");
        assertThat(update.expressionAttributeValues().get(":stale").n())
                .isEqualTo(Long.toString(now.minusSeconds(30).toEpochMilli()));
        assertThat(update.expressionAttributeValues().get(":until").n())
                .isEqualTo(Long.toString(now.plusSeconds(30).toEpochMilli()));
    }

    @Test
    void markingSentRecordsTheTimeAndReleasesTheLease() {
        DynamoDbClient client = recordingClient(Map.of());
        new CommandDispatch(client, "calls").markSent("rtc_1", "cmd_1", "msg-1", Instant.ofEpochMilli(42));
        var update = (UpdateItemRequest) requests.getLast();
        assertThat(update.updateExpression()).contains("SET #sentAt = :now").contains("REMOVE #lease");
        assertThat(update.expressionAttributeNames()).containsEntry("#sentAt", CommandDispatch.SENT_AT)
                .containsEntry("#lease", CommandDispatch.DISPATCH_UNTIL);
        assertThat(update.expressionAttributeValues().get(":now").n()).isEqualTo("42");
    }
}
