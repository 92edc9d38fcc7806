package ai.phoneagent.call;

import java.util.regex.Pattern;

/**
 * Why a call ended, as stored in {@code endReason}: a lower-case code decided once, by whoever knows the truth
 * (the caller hung up, the agent or an operator asked OpenAI to hang up and it agreed, a transfer completed).
 */
public record EndReason(String code) {
    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /** OpenAI refused a re-attach with 404: the caller (or the carrier) ended the call. */
    public static final EndReason CALLER_HANGUP = new EndReason("caller_hangup");
    /** The model's {@code end_call} tool, after its goodbye. */
    public static final EndReason AGENT_HANGUP = new EndReason("agent_hangup");
    /** An operator's hang-up command. */
    public static final EndReason OPERATOR_HANGUP = new EndReason("operator_hangup");

    public EndReason {
        if (code == null || !CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("an end reason is a lower-case code");
        }
    }

    /** {@code text} when it is a code (e.g. {@code warm_transfer_complete}), else {@code fallback}. */
    public static EndReason codeOr(String text, EndReason fallback) {
        return text != null && CODE.matcher(text.strip()).matches() ? new EndReason(text.strip()) : fallback;
    }

    @Override
    public String toString() {
        return code;
    }
}
