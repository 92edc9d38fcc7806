package ai.phoneagent.simulator.twilio;

import java.time.Duration;
import java.util.Objects;

/** A scripted answer of the fake Twilio to the next request. */
public sealed interface TwilioAnswer {
    /** An error in Twilio's shape: {@code {"code","message","more_info","status"}}. */
    record Error(int status, int code, String message) implements TwilioAnswer {
        public Error {
            Objects.requireNonNull(message, "message");
        }
    }

    /** The normal answer, after {@code delay}. */
    record Slow(Duration delay) implements TwilioAnswer {
    }

    static TwilioAnswer error(int status, int code, String message) {
        return new Error(status, code, message);
    }

    /** Twilio's answer for a bad {@code To}: 400, code 21211. */
    static TwilioAnswer invalidTo() {
        return new Error(400, 21211, "Invalid 'To' Phone Number");
    }

    static TwilioAnswer serverError() {
        return new Error(500, 20500, "Internal Server Error");
    }

    static TwilioAnswer slow(Duration delay) {
        return new Slow(delay);
    }
}
