package ai.phoneagent.control.outbound;

/** What Twilio answered to "create this call". */
public sealed interface DialOutcome {
    /** Twilio created the call: it is dialling the callee. */
    record Dialled(String callSid) implements DialOutcome {
    }

    /** Twilio refused (nobody was dialled): its HTTP status, error code and message. */
    record Refused(int httpStatus, int twilioCode, String message) implements DialOutcome {
    }

    /** No answer from Twilio (timeout, connection failure): the call may or may not exist. */
    record Unreachable(String reason) implements DialOutcome {
    }
}
