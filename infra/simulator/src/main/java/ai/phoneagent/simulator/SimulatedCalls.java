package ai.phoneagent.simulator;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/** The calls the simulator has seen, by call id. */
final class SimulatedCalls {
    private final ConcurrentHashMap<String, CallRuntime> calls = new ConcurrentHashMap<>();
    private final Clock clock;
    private final String model;

    SimulatedCalls(Clock clock, String model) {
        this.clock = clock;
        this.model = model;
    }

    CallRuntime get(String callId) {
        return calls.computeIfAbsent(callId, id -> new CallRuntime(id, clock, model));
    }

    /** Every call seen so far. */
    java.util.Collection<CallRuntime> all() {
        return java.util.List.copyOf(calls.values());
    }

    void shutdown() {
        calls.values().forEach(CallRuntime::shutdown);
    }
}
