package ai.phoneagent.command;

import java.util.Locale;
import java.util.Optional;

/** What an operator can ask the call's worker to do. */
public enum CommandType {
    HANGUP, TRANSFER, INSTRUCTIONS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire name ({@code hangup}, {@code transfer}, {@code instructions}). */
    public static Optional<CommandType> fromWire(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (CommandType type : values()) {
            if (type.wireName().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
