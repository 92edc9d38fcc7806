package ai.phoneagent.outbound;

import java.time.Instant;
import java.util.List;

/**
 * An outbound launch ({@code LAUNCH#id / META}): whom to call and as whom, what became of it, and the call it became.
 * {@code instructions}, {@code voice}, {@code model} and {@code opening} are already resolved (request over template
 * over defaults); {@code opening} null means none was set, empty means the model opens from its instructions.
 * {@code sipKeyHash} is the SHA-256 of the secret that travels in the SIP URI; the secret itself is never stored.
 */
public record Launch(
        String launchId,
        LaunchStatus status,
        String to,
        String from,
        String templateId,
        String calleeName,
        String objective,
        String instructions,
        String opening,
        String voice,
        String model,
        String metadata,
        String idempotencyKey,
        String twilioCallSid,
        String callId,
        String sipKeyHash,
        Instant matchUntil,
        Instant createdAt,
        Instant updatedAt,
        String errorCode,
        String errorMessage,
        Integer slot,
        List<Transition> timeline) {

    public Launch {
        timeline = timeline == null ? List.of() : List.copyOf(timeline);
    }

    /** One step of the status timeline, with Twilio's code or answer when it gave one. */
    public record Transition(LaunchStatus status, Instant at, String code, String detail) {
    }

    @Override
    public String toString() {
        return "Launch[" + launchId + ", " + status.wireName() + "]";
    }
}
