package ai.phoneagent.call;

import java.util.Set;

/** A call's lifecycle; it only moves forward, by conditional writes. */
public enum CallStatus {
    RECEIVED, ACCEPTED, QUEUED, ATTACHED, ORPHANED, ENDED, GONE, FAILED;

    private static final Set<CallStatus> TERMINAL = Set.of(ENDED, GONE, FAILED);

    /** Ended, gone or failed: nothing more will happen to the call. */
    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }
}
