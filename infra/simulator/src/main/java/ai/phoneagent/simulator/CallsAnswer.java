package ai.phoneagent.simulator;

import java.time.Duration;
import java.util.Objects;

/** A scripted answer of the Calls API to one request. */
public sealed interface CallsAnswer {
    /** 200 with an empty body, with the verb's normal effect (accept, end the call, …). */
    record Ok() implements CallsAnswer {
    }

    /** 404: the call does not exist (any more). */
    record NotFound() implements CallsAnswer {
    }

    /** Any error status with OpenAI's {@code {"error":{"message","type","param","code"}}} body. */
    record Error(int status, String message, String type, String code) implements CallsAnswer {
        public Error {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("error status must be 4xx or 5xx");
            }
            Objects.requireNonNull(message, "message");
            type = type == null ? (status >= 500 ? "server_error" : "invalid_request_error") : type;
        }
    }

    /** Waits {@code delay} before sending {@code then} (to exercise client timeouts). */
    record Slow(Duration delay, CallsAnswer then) implements CallsAnswer {
        public Slow {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(then, "then");
        }
    }

    /** Closes the connection without answering (an I/O error for the client). */
    record Disconnect() implements CallsAnswer {
    }

    static CallsAnswer ok() {
        return new Ok();
    }

    static CallsAnswer notFound() {
        return new NotFound();
    }

    static CallsAnswer error(int status, String message, String type, String code) {
        return new Error(status, message, type, code);
    }

    static CallsAnswer badRequest(String message) {
        return new Error(400, message, "invalid_request_error", null);
    }

    static CallsAnswer serverError() {
        return serverError(500);
    }

    static CallsAnswer serverError(int status) {
        return new Error(status, "The server had an error while processing your request. Sorry about that!",
                "server_error", null);
    }

    static CallsAnswer slow(Duration delay, CallsAnswer then) {
        return new Slow(delay, then);
    }

    static CallsAnswer disconnect() {
        return new Disconnect();
    }
}
