package ai.phoneagent.simulator;

import java.util.List;

/** A point-in-time view of one call in the simulator. */
public record CallSnapshot(String callId, boolean known, boolean accepted, boolean ended, String endReason,
                           int attachCount, int openSockets, int clientEventCount, String scenario,
                           boolean scenarioStarted, boolean scenarioFinished, String scenarioFailure,
                           List<String> referTargets) {
    public CallSnapshot {
        referTargets = List.copyOf(referTargets);
    }

    /** True while at least one WebSocket of the call is open. */
    public boolean connected() {
        return openSockets > 0;
    }
}
