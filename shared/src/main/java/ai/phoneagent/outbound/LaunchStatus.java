package ai.phoneagent.outbound;

import java.util.Locale;
import java.util.Optional;

/**
 * Where an outbound launch is. It only moves forward: {@code requested → queued → ringing → answered → in_call →
 * completed}, or ends early as {@code busy}, {@code no_answer}, {@code failed} or {@code voicemail}.
 */
public enum LaunchStatus {
    REQUESTED(0), QUEUED(1), RINGING(2), ANSWERED(3), IN_CALL(4),
    COMPLETED(9), BUSY(9), NO_ANSWER(9), FAILED(9), VOICEMAIL(9);

    private final int rank;

    LaunchStatus(int rank) {
        this.rank = rank;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return rank == 9;
    }

    /** True when a launch in this status may move to {@code next}. */
    public boolean precedes(LaunchStatus next) {
        return !isTerminal() && next.rank > rank;
    }

    public static Optional<LaunchStatus> fromWire(String wire) {
        for (LaunchStatus status : values()) {
            if (status.wireName().equals(wire)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
