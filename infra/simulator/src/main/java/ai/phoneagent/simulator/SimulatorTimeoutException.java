package ai.phoneagent.simulator;

/** An await on the simulator or a fake passed its deadline; the message says what was awaited. */
public final class SimulatorTimeoutException extends RuntimeException {
    public SimulatorTimeoutException(String message) {
        super(message);
    }
}
