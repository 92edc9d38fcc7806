package ai.phoneagent.simulator;

import java.util.List;

/**
 * A point-in-time view of one call in the simulator. {@code transcriptLines} counts the finished transcript lines
 * (caller and model) sent on the call's sockets; {@code greeted} is true once the client asked for a greeting.
 */
public record CallSnapshot(String callId, boolean known, boolean accepted, boolean ended, String endReason,
                           int attachCount, int openSockets, int clientEventCount, String scenario,
                           boolean scenarioStarted, boolean scenarioFinished, String scenarioFailure,
                           List<String> referTargets, int transcriptLines, boolean greeted, boolean stalled) {
    public CallSnapshot {
        referTargets = List.copyOf(referTargets);
    }

    /** True while at least one WebSocket of the call is open. */
    public boolean connected() {
        return openSockets > 0;
    }
}
