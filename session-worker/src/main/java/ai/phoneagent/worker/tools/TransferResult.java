package ai.phoneagent.worker.tools;

import ai.phoneagent.tools.ToolResult;
import ai.phoneagent.tools.TransferMode;
import ai.phoneagent.tools.TransferTarget;

/** The outcome of a transfer attempt; every failure carries a sentence the agent can say to the caller. */
public sealed interface TransferResult {
    /** The human is being dialled into the conference (warm) or OpenAI accepted the REFER (cold). */
    record Started(TransferTarget target, TransferMode mode, String reference) implements TransferResult {
    }

    /** Not allowed: transfer is off, or the requested target is not in the configured allow-list. */
    record Refused(String code, String speakable) implements TransferResult {
    }

    /** Allowed but it did not work (no conference, Twilio or OpenAI error). */
    record Failed(String code, String speakable) implements TransferResult {
    }

    default boolean ok() {
        return this instanceof Started;
    }

    /** The tool output for the model. */
    default ToolResult toToolResult() {
        return switch (this) {
            case Started s -> ToolResult.success(s.mode() == TransferMode.WARM
                    ? "A person is being connected to the call now. Tell the caller to stay on the line."
                    : "The call is being transferred now. Say a brief goodbye.");
            case Refused r -> ToolResult.error(r.speakable());
            case Failed f -> ToolResult.error(f.speakable());
        };
    }
}
