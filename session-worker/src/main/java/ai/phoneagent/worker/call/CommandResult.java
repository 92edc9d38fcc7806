package ai.phoneagent.worker.call;

/**
 * The outcome of an operator command on a hosted call, typed: {@link Done}, or {@link Failed} with a
 * machine-readable code ({@code call_ended}, {@code upstream_error}, {@code unknown_target}, …) and words for people.
 */
public sealed interface CommandResult {
    String CALL_ENDED = "call_ended";
    String UPSTREAM_ERROR = "upstream_error";
    String INVALID_REQUEST = "invalid_request";

    record Done(String message) implements CommandResult {
        @Override
        public String code() {
            return "done";
        }
    }

    record Failed(String code, String message) implements CommandResult {
    }

    String code();

    String message();

    default boolean ok() {
        return this instanceof Done;
    }

    static CommandResult done(String message) {
        return new Done(message);
    }

    static CommandResult failed(String code, String message) {
        return new Failed(code, message);
    }
}
