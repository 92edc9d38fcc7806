package ai.phoneagent.queue;

/** A queue message that does not follow its contract; the message says what is wrong, never the payload. */
public final class InvalidMessageException extends RuntimeException {
    public InvalidMessageException(String message) {
        super(message);
    }
}
