package ai.phoneagent.simulator.twilio;

import ai.phoneagent.simulator.scenario.Scenario;
import java.time.Duration;
import java.util.Objects;

/**
 * How the fake Twilio's callee behaves when an outbound call rings: it rings for {@code ring}, then picks up (and
 * the bridged OpenAI call runs {@code scenario}), is busy, never answers, is an answering machine, or the call fails.
 */
public record Callee(Duration ring, Pickup pickup, Scenario scenario) {
    /** What happens after the ringing. */
    public enum Pickup { ANSWER, BUSY, NO_ANSWER, MACHINE, FAIL }

    public Callee {
        Objects.requireNonNull(ring, "ring");
        Objects.requireNonNull(pickup, "pickup");
    }

    /** Answers after {@code ring}; the OpenAI call then runs {@code scenario} (null: the simulator's default). */
    public static Callee answers(Duration ring, Scenario scenario) {
        return new Callee(ring, Pickup.ANSWER, scenario);
    }

    public static Callee busy(Duration ring) {
        return new Callee(ring, Pickup.BUSY, null);
    }

    public static Callee noAnswer(Duration ring) {
        return new Callee(ring, Pickup.NO_ANSWER, null);
    }

    /** An answering machine picks up after {@code ring}. */
    public static Callee machine(Duration ring) {
        return new Callee(ring, Pickup.MACHINE, null);
    }

    public static Callee fails(Duration ring) {
        return new Callee(ring, Pickup.FAIL, null);
    }
}
