package ai.phoneagent.control;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.config.Env;
import ai.phoneagent.control.api.ApiRequest;
import ai.phoneagent.control.api.ApiResponse;
import ai.phoneagent.json.Json;
import ai.phoneagent.testing.AwsFixture;
import ai.phoneagent.testing.HangingEndpoint;
import ai.phoneagent.testing.LogCapture;
import ai.phoneagent.testing.TestKeys;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The control API's promise when DynamoDB or SQS hang (accept the connection, never answer): an answer within
 * {@code CONTROL_ACK_TIMEOUT_MS} + 1 s, 503 with a code naming the service, and a log line naming the operation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HungDependencyTest {
    private static final long ACK_MS = 2_500;
    private AwsFixture aws;
    private HangingEndpoint hanging;

    @BeforeAll
    void start() {
        aws = AwsFixture.embedded();
        hanging = HangingEndpoint.start();
    }

    @AfterAll
    void stop() {
        hanging.close();
    }

    private ControlService service(String dynamo, String sqs, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(TestConfigs.baseEnv());
        env.putAll(aws.env());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo);
        env.put("AWS_ENDPOINT_URL_SQS", sqs);
        env.put("CONTROL_ACK_TIMEOUT_MS", Long.toString(ACK_MS));
        env.putAll(extra);
        ControlConfig config = ControlConfig.fromEnv(Env.of(env));
        return ControlService.create(config, new AwsClients(AwsSettings.fromEnv(Env.of(env))), Clock.systemUTC());
    }

    private static ApiRequest request(String method, String path, String body) {
        var builder = APIGatewayV2HTTPEvent.builder().withRawPath(path).withRawQueryString("")
                .withHeaders(Map.of("authorization", "Bearer " + TestKeys.CONTROL_API_TOKEN, "content-type", "application/json"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("req-hung")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .build());
        if (body != null) {
            builder.withBody(body);
        }
        return ApiRequest.fromEvent(builder.build());
    }

    private record Timed(ApiResponse response, long millis) {
        String code() throws Exception {
            return Json.parse(response.body()).at("/error/code").asText();
        }
    }

    private static Timed timed(ControlService service, ApiRequest request) {
        long started = System.nanoTime();
        ApiResponse response = service.handle(request, Duration.ofSeconds(30));
        return new Timed(response, (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void aHungCallStoreIsCutOffWithinTheAckBoundAnd503StoreUnavailable() throws Exception {
        // long AWS timeouts: only the request's own deadline can answer in time
        ControlService service = service(hanging.uri().toString(), hanging.uri().toString(),
                Map.of("AWS_ATTEMPT_TIMEOUT_MS", "60000", "AWS_CALL_TIMEOUT_MS", "60000"));
        try (LogCapture logs = LogCapture.quiet()) {
            Timed list = timed(service, request("GET", "/control/calls", null));
            Timed hangup = timed(service, request("POST", "/control/calls/rtc_hung0000000000000001/hangup", "{}"));
            assertThat(list.response().status()).isEqualTo(503);
            assertThat(list.code()).isEqualTo("store_unavailable");
            assertThat(list.millis()).as("answered within ack + 1 s").isLessThan(ACK_MS + 1_000);
            assertThat(hangup.response().status()).isEqualTo(503);
            assertThat(hangup.code()).isEqualTo("store_unavailable");
            assertThat(hangup.millis()).as("answered within ack + 1 s").isLessThan(ACK_MS + 1_000);
            assertThat(logs.text()).contains("waiting on DynamoDb.");
            assertThat(TestKeys.containsSecret(logs.text())).isFalse();
        }
        assertThat(hanging.connections()).as("the client reached the hung endpoint").isPositive();
    }

    @Test
    void aHungQueueIs503QueueUnavailableWithinTheAckBound() throws Exception {
        ControlService service = service(aws.env().get("AWS_ENDPOINT_URL_DYNAMODB"), hanging.uri().toString(),
                Map.of("AWS_ATTEMPT_TIMEOUT_MS", "60000", "AWS_CALL_TIMEOUT_MS", "60000"));
        CallSeeder seeder = new CallSeeder(aws.callStore(), new ControlQueues(aws.sqs(), aws.controlQueuePrefix()));
        String callId = seeder.attached(Instant.now());
        try (LogCapture logs = LogCapture.quiet()) {
            Timed hangup = timed(service, request("POST", "/control/calls/" + callId + "/hangup", "{}"));
            assertThat(hangup.response().status()).isEqualTo(503);
            assertThat(hangup.code()).isEqualTo("queue_unavailable");
            assertThat(hangup.millis()).as("answered within ack + 1 s").isLessThan(ACK_MS + 1_000);
            assertThat(logs.text()).contains("waiting on Sqs.SendMessage");
        }
    }

    @Test
    void anAwsTimeoutIsLoggedWithOperationEndpointAndMessage() throws Exception {
        ControlService service = service(hanging.uri().toString(), hanging.uri().toString(),
                Map.of("AWS_ATTEMPT_TIMEOUT_MS", "300", "AWS_CALL_TIMEOUT_MS", "300"));
        try (LogCapture logs = LogCapture.quiet()) {
            Timed list = timed(service, request("GET", "/control/calls", null));
            assertThat(list.response().status()).isEqualTo(503);
            assertThat(list.code()).isEqualTo("store_unavailable");
            assertThat(list.millis()).isLessThan(ACK_MS + 1_000);
            assertThat(logs.text()).contains("DynamoDb.Query at " + hanging.uri()).contains("TimeoutException");
            assertThat(list.response().body()).doesNotContain("127.0.0.1");
        }
    }
}
