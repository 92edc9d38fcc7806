package ai.phoneagent.bench;

import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.localstack.ApiGatewayBridge;
import ai.phoneagent.webhook.WebhookHandler;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * The two Lambda handlers as the system under test, each built by its Lambda constructor from the environment
 * (exactly as in AWS), behind the local API Gateway look-alike. Prints {@code READY port=<n>} and runs until its
 * standard input closes.
 */
public final class FrontMain {
    private FrontMain() {
    }

    public static void main(String[] args) throws IOException {
        WebhookHandler webhook = new WebhookHandler();
        ControlHandler control = new ControlHandler();
        ApiGatewayBridge bridge = ApiGatewayBridge.start("127.0.0.1", 0, List.of(
                new ApiGatewayBridge.Route("/openai/webhook", webhook),
                new ApiGatewayBridge.Route("/control", control)), Clock.systemUTC());
        System.out.println("READY port=" + bridge.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // block until the parent goes away
        }
        bridge.close();
        System.exit(0);
    }
}
