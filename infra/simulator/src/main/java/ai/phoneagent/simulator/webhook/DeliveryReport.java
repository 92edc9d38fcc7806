package ai.phoneagent.simulator.webhook;

import java.util.List;

/** Every attempt made to deliver one webhook (all with the same {@code webhookId}). */
public record DeliveryReport(String webhookId, WebhookEvent event, List<DeliveryAttempt> attempts) {
    public DeliveryReport {
        attempts = List.copyOf(attempts);
    }

    /** True when the last attempt got a 2xx. */
    public boolean delivered() {
        return !attempts.isEmpty() && attempts.getLast().succeeded();
    }

    /** The statuses in attempt order. */
    public List<Integer> statuses() {
        return attempts.stream().map(DeliveryAttempt::status).toList();
    }
}
