package ai.phoneagent.simulator.webhook;

import java.time.Duration;
import java.util.Objects;

/** How a delivery is signed: correctly, or forged in one specific way for negative tests. */
public sealed interface Signing {
    /** Signed like OpenAI with the sender's secret and the current time. */
    record Valid() implements Signing {
    }

    /** Signed with another secret (never printed). */
    record WrongSecret(String secret) implements Signing {
        public WrongSecret {
            Objects.requireNonNull(secret, "secret");
        }

        @Override
        public String toString() {
            return "WrongSecret[redacted]";
        }
    }

    /** Correctly signed but with a timestamp {@code age} in the past. */
    record Stale(Duration age) implements Signing {
    }

    /** Correctly signed but with a timestamp {@code ahead} in the future. */
    record FutureDated(Duration ahead) implements Signing {
    }

    /** Signed over the original body, then a different body is sent. */
    record TamperedBody() implements Signing {
    }

    /** No {@code webhook-signature} header at all. */
    record MissingSignature() implements Signing {
    }

    /** A {@code webhook-signature} header that is not a valid entry list. */
    record Malformed() implements Signing {
    }

    static Signing valid() {
        return new Valid();
    }

    static Signing wrongSecret(String secret) {
        return new WrongSecret(secret);
    }

    static Signing stale(Duration age) {
        return new Stale(age);
    }

    static Signing futureDated(Duration ahead) {
        return new FutureDated(ahead);
    }

    static Signing tamperedBody() {
        return new TamperedBody();
    }

    static Signing missingSignature() {
        return new MissingSignature();
    }

    static Signing malformed() {
        return new Malformed();
    }
}
