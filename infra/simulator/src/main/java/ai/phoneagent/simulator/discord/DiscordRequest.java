package ai.phoneagent.simulator.discord;

import java.time.Instant;

/** Any request the fake Discord received and the status it answered (0 = connection closed, no answer). */
public record DiscordRequest(String method, String webhookId, String body, Instant receivedAt, int status) {
}
