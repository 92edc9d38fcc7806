package ai.phoneagent.openai;

/** What a Calls API request came to, after retries. */
public sealed interface CallsOutcome {
    /** 2xx: OpenAI did it. */
    record Done() implements CallsOutcome {
    }

    /** 404: the call no longer exists (the caller hung up). */
    record Gone() implements CallsOutcome {
    }

    /** Another 4xx: OpenAI refused; {@code message} is OpenAI's own error message. */
    record Refused(int status, String message) implements CallsOutcome {
    }

    /** 5xx, 429 or I/O failure until the deadline ran out; a later retry may succeed. */
    record Unavailable(String reason) implements CallsOutcome {
    }
}
