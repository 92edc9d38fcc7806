package ai.phoneagent.worker.it;

import ai.phoneagent.config.Env;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import ai.phoneagent.simulator.webhook.WebhookSender;
import ai.phoneagent.testing.TestKeys;
import ai.phoneagent.webhook.WebhookApp;
import ai.phoneagent.webhook.WebhookConfig;
import ai.phoneagent.webhook.WebhookRequest;
import ai.phoneagent.webhook.WebhookResponse;
import ai.phoneagent.webhook.WebhookService;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** The real webhook handler in front of a {@link TestBed}'s table and calls queue, fed signed deliveries. */
final class WebhookFront {
    private final WebhookService webhook;
    private final WebhookSender sender = new WebhookSender(TestKeys.WEBHOOK_SECRET, Clock.systemUTC(),
            RedeliveryPolicy.once());

    /** @param extraEnv settings beyond the bed's own and the webhook secret (e.g. the tools the model is offered) */
    WebhookFront(TestBed bed, Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>(bed.env(Map.of()));
        env.put("OPENAI_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET);
        env.putAll(extraEnv);
        webhook = WebhookApp.service(WebhookConfig.fromEnv(Env.of(env)), Clock.systemUTC(), bed.store, bed.queue);
    }

    /** One signed delivery of {@code event}, as OpenAI sends it. */
    WebhookResponse deliver(WebhookEvent event) {
        return webhook.handle(new WebhookRequest("POST", WebhookService.PATH,
                sender.signedHeaders(event.id(), event.body()), event.body()));
    }
}
