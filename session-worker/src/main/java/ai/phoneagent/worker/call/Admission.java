package ai.phoneagent.worker.call;

/**
 * Whether this worker takes calls in, asked again at each step of taking one in (from the queue or by a take-over),
 * since a shutdown or a halt may begin at any of them.
 */
public enum Admission {
    /** Takes calls. */
    OPEN,
    /** Draining or unhealthy: a call being taken in is handed on (released for another worker, its message returned). */
    CLOSED,
    /**
     * Halted as a killed process would stop (crash drills, tests): a take-in in flight stops where it is and writes
     * nothing more, so the call waits for another worker's take-over exactly as after a real {@code kill -9}.
     */
    HALTED;

    /**
     * Settles a session hosted while taking its call in: true when it may start; otherwise it has been released for
     * another worker ({@code CLOSED}) or dropped without a write ({@code HALTED}: the claim stands, as after a kill,
     * for the next take-over), and the caller stops.
     */
    public boolean admits(CallSession session) {
        switch (this) {
            case OPEN -> {
                return true;
            }
            case CLOSED -> session.release();
            case HALTED -> session.abandon();
        }
        return false;
    }
}
