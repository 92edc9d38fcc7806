package ai.phoneagent.webhook;

/** How the intake of one delivery ended; {@link #retryable()} outcomes answer 500 so OpenAI tries again. */
public enum IntakeOutcome {
    /** This delivery accepted and enqueued the call (or finished an earlier delivery's work). */
    QUEUED(false),
    /** An earlier delivery already handled the call; nothing was done twice. */
    DUPLICATE(false),
    /** OpenAI answered 404 to accept: the caller hung up. Recorded as GONE. */
    GONE(false),
    /** OpenAI refused the accept. Recorded as FAILED with its message. */
    FAILED(false),
    /** Accept could not reach OpenAI in time; a retry may succeed. */
    ACCEPT_UNAVAILABLE(true),
    /** The call was accepted but could not be enqueued; the retry finishes the job without accepting again. */
    ENQUEUE_FAILED(true),
    /** Another delivery of the same call is still working on it; a retry will find the result. */
    IN_PROGRESS(true);

    private final boolean retryable;

    IntakeOutcome(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
