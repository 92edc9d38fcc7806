package ai.phoneagent.simulator;

import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Everything the simulator knows about one call: state, sockets, client events, scenario progress. */
final class CallRuntime {
    private final String callId;
    private final ServerEventBuilder events;
    private final List<AttachedSocket> open = new ArrayList<>();
    private final List<JsonNode> clientEvents = new ArrayList<>();
    private final List<String> invalidMessages = new ArrayList<>();
    private final List<String> referTargets = new ArrayList<>();
    private boolean known;
    private boolean accepted;
    private boolean ended;
    private boolean endedWithCloseFrame = true;
    private boolean closed;
    private String endReason;
    private int attachCount;
    private Scenario scenario;
    private boolean scenarioStarted;
    private boolean scenarioFinished;
    private String scenarioFailure;
    private ObjectNode session;
    private String pendingToolOutput;
    private boolean modelHasSpoken;
    private int transcriptLines;
    private boolean stalled;

    CallRuntime(String callId, Clock clock, String model) {
        this.callId = callId;
        this.events = new ServerEventBuilder(clock);
        this.session = ServerEventBuilder.defaultSession(model);
    }

    String callId() {
        return callId;
    }

    ServerEventBuilder events() {
        return events;
    }

    synchronized void markKnown() {
        known = true;
        notifyAll();
    }

    synchronized boolean isKnown() {
        return known;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    /** True once the call ended or the simulator shut down: scenarios stop. */
    synchronized boolean isStopped() {
        return ended || closed;
    }

    synchronized void useScenario(Scenario chosen) {
        if (scenarioStarted) {
            throw new IllegalStateException("call " + callId + " already runs scenario " + scenario.name());
        }
        scenario = chosen;
        known = true;
    }

    synchronized void accepted(JsonNode body) {
        accepted = true;
        known = true;
        ObjectNode applied = session.deepCopy();
        ServerEventBuilder.merge(applied, body);
        session = applied;
        notifyAll();
    }

    synchronized void referred(String target) {
        referTargets.add(target);
        notifyAll();
    }

    /**
     * Registers an attached socket. Returns the scenario to start when this is the call's first attach,
     * null when the scenario already runs; throws when the call ended meanwhile.
     */
    synchronized Scenario attach(AttachedSocket connection, Scenario fallback) {
        if (ended || closed) {
            throw new IllegalStateException("call ended");
        }
        attachCount++;
        open.add(connection);
        connection.stall(stalled);
        notifyAll();
        if (scenarioStarted) {
            return null;
        }
        scenarioStarted = true;
        if (scenario == null) {
            scenario = fallback;
        }
        return scenario;
    }

    synchronized void detach(AttachedSocket connection) {
        if (open.remove(connection)) {
            notifyAll();
        }
    }

    /** How the call's sockets were closed when it ended: with a close frame, or abruptly. */
    synchronized boolean endedWithCloseFrame() {
        return endedWithCloseFrame;
    }

    /** Marks the call ended and closes its sockets; false when it had already ended. */
    boolean end(String reason, boolean closeFrame) {
        List<AttachedSocket> toClose;
        synchronized (this) {
            if (ended) {
                return false;
            }
            ended = true;
            endedWithCloseFrame = closeFrame;
            endReason = reason;
            toClose = List.copyOf(open);
            open.clear();
            notifyAll();
        }
        toClose.forEach(c -> c.close(closeFrame, reason));
        return true;
    }

    /** Closes the sockets but not the call (a network drop; the client may re-attach). */
    void dropConnections(boolean closeFrame) {
        List<AttachedSocket> toClose;
        synchronized (this) {
            toClose = List.copyOf(open);
            open.clear();
            notifyAll();
        }
        toClose.forEach(c -> c.close(closeFrame, "connection dropped"));
    }

    /** The call's sockets (and any that attach meanwhile) go silent without closing (true), or go on (false). */
    void stall(boolean stall) {
        List<AttachedSocket> sockets;
        synchronized (this) {
            stalled = stall;
            sockets = List.copyOf(open);
            notifyAll();
        }
        sockets.forEach(c -> c.stall(stall));
    }

    /** A finished transcript line (caller's or model's) went out on one of the call's sockets. */
    synchronized void transcriptLineSent() {
        transcriptLines++;
        notifyAll();
    }

    /** Simulator shutdown: wakes every waiter and drops every socket. */
    void shutdown() {
        List<AttachedSocket> toClose;
        synchronized (this) {
            closed = true;
            toClose = List.copyOf(open);
            open.clear();
            notifyAll();
        }
        toClose.forEach(c -> c.close(false, "simulator stopped"));
    }

    synchronized void recordClientEvent(JsonNode event) {
        clientEvents.add(event);
        notifyAll();
    }

    synchronized void recordInvalidMessage(String text) {
        invalidMessages.add(text);
        notifyAll();
    }

    synchronized List<JsonNode> clientEvents() {
        return clientEvents.stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }

    synchronized List<String> invalidMessages() {
        return List.copyOf(invalidMessages);
    }

    /**
     * Index of the first client event at or after {@code from} matching {@code predicate}, waiting until
     * {@code deadline}; -1 on timeout, or at once when {@code stopOnEnd} and the call stopped.
     */
    synchronized int awaitClientEvent(Predicate<JsonNode> predicate, int from, Deadline deadline, boolean stopOnEnd)
            throws InterruptedException {
        int next = from;
        while (true) {
            for (; next < clientEvents.size(); next++) {
                if (predicate.test(clientEvents.get(next))) {
                    return next;
                }
            }
            if (closed || (stopOnEnd && ended)) {
                return -1;
            }
            if (!deadline.waitOn(this)) {
                return -1;
            }
        }
    }

    /** The newest open socket, waiting until {@code deadline}; null on timeout or when the call stopped. */
    synchronized AttachedSocket awaitConnection(Deadline deadline) throws InterruptedException {
        while (true) {
            if (ended || closed) {
                return null;
            }
            if (!open.isEmpty()) {
                return open.getLast();
            }
            if (!deadline.waitOn(this)) {
                return null;
            }
        }
    }

    /** Waits until the snapshot satisfies the predicate; null on timeout. */
    synchronized CallSnapshot awaitSnapshot(Predicate<CallSnapshot> predicate, Deadline deadline)
            throws InterruptedException {
        while (true) {
            CallSnapshot snapshot = snapshot();
            if (predicate.test(snapshot)) {
                return snapshot;
            }
            if (closed || !deadline.waitOn(this)) {
                return null;
            }
        }
    }

    synchronized void scenarioDone(String failure) {
        scenarioFinished = true;
        scenarioFailure = failure;
        notifyAll();
    }

    synchronized ObjectNode session() {
        return session.deepCopy();
    }

    synchronized ObjectNode updateSession(JsonNode patch) {
        ServerEventBuilder.merge(session, patch);
        return session.deepCopy();
    }

    synchronized void toolOutput(String output) {
        pendingToolOutput = output;
    }

    synchronized String takeToolOutput() {
        String output = pendingToolOutput;
        pendingToolOutput = null;
        return output;
    }

    synchronized void modelSpoke() {
        modelHasSpoken = true;
    }

    synchronized boolean modelHasSpoken() {
        return modelHasSpoken;
    }

    synchronized CallSnapshot snapshot() {
        return new CallSnapshot(callId, known, accepted, ended, endReason, attachCount, open.size(),
                clientEvents.size(), scenario == null ? null : scenario.name(), scenarioStarted,
                scenarioFinished, scenarioFailure, referTargets, transcriptLines,
                clientEvents.stream().anyMatch(AwaitTarget.GREETING::matches), stalled);
    }
}
