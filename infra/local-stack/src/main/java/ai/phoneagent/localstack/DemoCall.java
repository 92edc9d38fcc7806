package ai.phoneagent.localstack;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.simulator.webhook.DeliveryAttempt;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookSender;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Optional;

/** Places one call through the simulator, as OpenAI would, and narrates what the system did with it. */
final class DemoCall {
    private final LocalStack stack;
    private final PrintStream console;
    private final Clock clock;

    DemoCall(LocalStack stack, PrintStream console, Clock clock) {
        this.stack = stack;
        this.console = console;
        this.clock = clock;
    }

    /** Sends a signed {@code realtime.call.incoming} for a fresh call; returns its id. */
    String place() {
        String secret = stack.env().required("OPENAI_WEBHOOK_SECRET");
        IncomingCallSpec call = IncomingCallSpec.builder().from("+14255551212").to("+18005551212").build();
        console.println("demo: +14255551212 is calling +18005551212 (call " + call.callId() + ")");
        WebhookSender sender = new WebhookSender(secret, clock, RedeliveryPolicy.fast());
        var report = sender.deliver(stack.webhookUrl(),
                ai.phoneagent.simulator.webhook.WebhookEvent.incomingCall(call, clock),
                ai.phoneagent.simulator.webhook.Signing.valid(),
                this::narrate);
        if (!report.delivered()) {
            console.println("demo: the webhook was not accepted: " + report.statuses());
            return call.callId();
        }
        Optional<CallRecord> stored = stack.store().get(call.callId());
        stored.ifPresent(c -> console.println("demo: webhook verified, call accepted (" + c.acceptedAt() + "), call "
                + c.status().name().toLowerCase(java.util.Locale.ROOT)));
        return call.callId();
    }

    private void narrate(DeliveryAttempt attempt) {
        console.println("demo: webhook delivery " + attempt.number() + " -> HTTP " + attempt.status());
    }
}
