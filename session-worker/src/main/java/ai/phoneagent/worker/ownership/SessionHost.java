package ai.phoneagent.worker.ownership;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.worker.call.Admission;
import ai.phoneagent.worker.call.CallRegistry;
import ai.phoneagent.worker.call.CallSession;
import ai.phoneagent.worker.call.SessionServices;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Hosts calls this worker takes over from a dead one in its own registry: a capacity slot is reserved before the
 * take-over write (so a full worker leaves the call to the queue); the session greets only a call whose greeting has
 * not gone out (its owner died first), see {@code GreetingPolicy.due}.
 */
public final class SessionHost implements Takeover.Host {
    private static final JsonLog LOG = JsonLog.forComponent("takeover");

    private final CallRegistry registry;
    private final SessionServices services;
    private final Supplier<Admission> admission;

    /** @param admission not {@code OPEN} while the worker drains, is unhealthy or halted: it takes nothing over then */
    public SessionHost(CallRegistry registry, SessionServices services, Supplier<Admission> admission) {
        this.registry = registry;
        this.services = services;
        this.admission = admission;
    }

    @Override
    public Room reserve(String callId) {
        if (registry.has(callId)) {
            return Room.ALREADY_HERE;
        }
        if (admission.get() != Admission.OPEN) {
            return Room.NONE;
        }
        if (registry.reserveNow(callId)) {
            return Room.RESERVED;
        }
        return registry.has(callId) ? Room.ALREADY_HERE : Room.NONE;
    }

    @Override
    public void unreserve(String callId) {
        registry.abandon(callId);
    }

    @Override
    public void adopt(CallRecord call) {
        String callId = call.callId();
        CallSession session = new CallSession(call, false, services, () -> registry.stopped(callId));
        registry.hosted(session);
        // a shutdown or halt that began meanwhile either sees this session, or is seen here
        if (!admission.get().admits(session)) {
            return;
        }
        LOG.info("call taken over", Map.of("call_id", callId));
        try {
            session.start();
        } catch (RuntimeException e) {
            // never keep a call that has no socket: it would point at a live worker with nobody handling it
            LOG.error("call socket not started", Map.of("call_id", callId, "error", JsonLog.describe(e)));
            session.release();
        }
    }
}
