package ai.phoneagent.callevents;

import java.util.Arrays;
import java.util.Optional;

/** The call events posted to the user's backend ({@code CALL_EVENTS_URL}). */
public enum CallEventType {
    STARTED("call.started"), TRANSFERRED("call.transferred"), ENDED("call.ended");

    private final String wireName;

    CallEventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<CallEventType> fromWire(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }
}
