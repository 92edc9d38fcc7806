package ai.phoneagent.worker.call;

/** The outcome of an operator command on a live call: {@code code} is machine-readable, {@code message} for people. */
public record CommandResult(boolean ok, String code, String message) {
    public static CommandResult done(String message) {
        return new CommandResult(true, "done", message);
    }

    public static CommandResult failed(String code, String message) {
        return new CommandResult(false, code, message);
    }
}
