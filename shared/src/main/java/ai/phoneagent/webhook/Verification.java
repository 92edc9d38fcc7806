package ai.phoneagent.webhook;

/** The outcome of checking a webhook delivery's signature. */
public sealed interface Verification {
    /** Signature valid and timestamp fresh. */
    record Valid(String webhookId, long timestampSeconds) implements Verification {
    }

    /** Rejected; {@code reason} is safe to log and return (it never contains secrets or signatures). */
    record Invalid(String reason) implements Verification {
    }
}
