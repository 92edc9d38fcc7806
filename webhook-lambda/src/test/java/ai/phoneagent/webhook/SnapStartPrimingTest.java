package ai.phoneagent.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.config.Env;
import ai.phoneagent.testing.TestKeys;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Priming before a SnapStart snapshot must touch no network: every backend here is unreachable. */
class SnapStartPrimingTest {
    /** A loopback address nothing listens on. */
    private static String nowhere() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    /** A configuration whose every backend is {@code nowhere}. */
    private static WebhookConfig unreachable(String nowhere) {
        return WebhookConfig.fromEnv(Env.of(Map.of(
                "OPENAI_API_KEY", TestKeys.OPENAI_API_KEY,
                "OPENAI_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET,
                "OPENAI_BASE_URL", nowhere,
                "CALLS_TABLE", "calls",
                "CALLS_QUEUE_URL", nowhere + "/000000000000/calls",
                "AWS_ENDPOINT_URL", nowhere)));
    }

    @Test
    void primingNeedsNoNetworkAndLeavesTheHandlerWorking() throws Exception {
        String nowhere = nowhere();
        WebhookConfig config = unreachable(nowhere);
        AwsClients clients = new AwsClients(AwsSettings.local(URI.create(nowhere), URI.create(nowhere)));
        WebhookService service = WebhookApp.service(config, Clock.systemUTC(),
                new ai.phoneagent.call.CallStore(clients.dynamo(), "calls"),
                new ai.phoneagent.queue.CallsQueue(clients.sqs(), nowhere + "/q"));
        WebhookHandler handler = new WebhookHandler(service);

        handler.beforeCheckpoint(null);
        handler.afterRestore(null);

        WebhookResponse rejected = service.handle(new WebhookRequest("POST", "/openai/webhook", Map.of(), new byte[0]));
        assertThat(rejected.status()).isEqualTo(401);
    }

    @Test
    void offlinePrimingRunsTheWholeIntakePathWithoutNetwork() throws Exception {
        WebhookConfig config = unreachable(nowhere());
        try (var logs = ai.phoneagent.testing.LogCapture.quiet()) {
            // every delivery verified, parsed, recorded, accepted, marked and sent: all answered 200 "queued"
            assertThat(WebhookApp.primeOffline(config, Clock.systemUTC(), 5)).isEqualTo(5);
            assertThat(logs.text()).as("priming writes no log lines").isEmpty();
            ai.phoneagent.logging.JsonLog.forComponent("test").info("after priming", Map.of());
            assertThat(logs.text()).as("logging restored to where it was").contains("after priming");
        }
    }
}
