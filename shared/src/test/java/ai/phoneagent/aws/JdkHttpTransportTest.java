package ai.phoneagent.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/** The SDK clients {@link AwsClients} builds speak HTTP through {@link JdkHttpTransport}, over a real socket. */
class JdkHttpTransportTest {
    private final MockWebServer server = new MockWebServer();

    JdkHttpTransportTest() throws IOException {
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private DynamoDbClient dynamo(AwsTimeouts timeouts) {
        URI endpoint = URI.create("http://127.0.0.1:" + server.getPort());
        return new AwsClients(new AwsSettings("us-east-1", Optional.of(endpoint), Optional.of(endpoint),
                Optional.of(new AwsSettings.StaticKeys("local", "local")), timeouts)).dynamo();
    }

    @Test
    void sendsTheSignedRequestOnceAndReadsTheAnswer() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-amz-json-1.0")
                .body("{\"Item\":{\"pk\":{\"S\":\"CALL#rtc_1\"},\"status\":{\"S\":\"QUEUED\"}}}").build());

        GetItemResponse response = dynamo(AwsTimeouts.LOCAL).getItem(b -> b.tableName("calls")
                .key(Map.of("pk", AttributeValue.fromS("CALL#rtc_1"))).consistentRead(true));

        assertThat(response.item().get("status").s()).isEqualTo("QUEUED");
        RecordedRequest request = server.takeRequest();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getHeaders().get("X-Amz-Target")).isEqualTo("DynamoDB_20120810.GetItem");
        assertThat(request.getHeaders().get("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=local/")
                .contains("SignedHeaders=").contains("host");
        // the Host the JDK client writes is the one the signature covers
        assertThat(request.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + server.getPort());
        assertThat(request.getBody().utf8()).contains("\"ConsistentRead\":true").contains("CALL#rtc_1");
        assertThat(request.getHeaders().get("Content-Length")).isEqualTo(Long.toString(request.getBody().size()));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void anErrorAnswerBecomesTheServicesTypedException() {
        server.enqueue(new MockResponse.Builder().code(400).setHeader("Content-Type", "application/x-amz-json-1.0")
                .body("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
                        + "\"message\":\"The conditional request failed\"}").build());

        assertThatThrownBy(() -> dynamo(AwsTimeouts.LOCAL).getItem(b -> b.tableName("calls")
                .key(Map.of("pk", AttributeValue.fromS("CALL#rtc_2")))))
                .isInstanceOf(ConditionalCheckFailedException.class);
    }

    @Test
    void aHungAnswerIsCutOffByTheCallsBounds() {
        // every attempt hangs well past the bounds; the client retries within the call timeout, then gives up
        for (int i = 0; i < 4; i++) {
            server.enqueue(new MockResponse.Builder().code(200).body("{}").headersDelay(20, TimeUnit.SECONDS).build());
        }
        DynamoDbClient client = dynamo(new AwsTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofMillis(700)));
        long started = System.nanoTime();

        assertThatThrownBy(() -> client.getItem(b -> b.tableName("calls").key(Map.of("pk", AttributeValue.fromS("CALL#rtc_3")))))
                .isInstanceOf(SdkClientException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
}
