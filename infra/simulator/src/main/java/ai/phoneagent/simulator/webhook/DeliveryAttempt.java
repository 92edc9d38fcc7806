package ai.phoneagent.simulator.webhook;

import java.time.Duration;

/** One attempt to deliver a webhook: HTTP status ({@code -1} when none came: timeout or I/O error). */
public record DeliveryAttempt(int number, String webhookId, String timestamp, int status, String error,
                              Duration took) {
    /** True for a 2xx answer. */
    public boolean succeeded() {
        return status >= 200 && status < 300;
    }
}
