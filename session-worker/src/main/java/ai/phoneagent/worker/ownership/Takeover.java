package ai.phoneagent.worker.ownership;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallTable;
import ai.phoneagent.call.Page;
import ai.phoneagent.call.WorkerHeartbeats;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.metrics.Dimension;
import ai.phoneagent.metrics.EmfWriter;
import ai.phoneagent.metrics.Measurement;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.metrics.MetricRecorder;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;

/**
 * Takes over calls whose owner is gone. Each {@code ATTACHED} call pointing at such an owner is, when this worker has
 * room, moved to this worker by a conditional write ({@link CallStore#takeOver}: exactly one worker wins it) and
 * re-attached here at once, without greeting: no queue round trip, so nothing waits on a message that a dead
 * worker's last long poll may have swallowed. When this worker is full (or draining, or unhealthy) the call is
 * orphaned instead ({@link CallStore#orphanOwnedBy}, also exactly once) and re-enqueued with reason {@code orphaned}
 * for a worker with capacity. Either way the call gets an {@code owner_lost} event; its session records
 * {@code reattached} once its socket is open.
 *
 * <p>Which owners are gone is decided by one rule, {@link #judge} ({@link LivenessRule}), for the heartbeat scan and
 * the sweep alike: no live worker's calls are taken from it, and no two workers take each other over.
 */
public final class Takeover {
    private static final JsonLog LOG = JsonLog.forComponent("takeover");
    private static final MetricRecorder METRICS = EmfWriter.toLogStream();
    private static final int PAGE = 100;
    /** Bound on the live calls one pass looks at. */
    static final int MAX_CALLS = 20_000;
    /** Calls taken over at once (each is a few store writes; the sockets open on their own). */
    static final int PARALLEL = 16;

    /** Where calls taken over directly are hosted: the worker's capacity and its sessions. */
    public interface Host {
        /** What {@link #reserve} found. */
        enum Room { RESERVED, ALREADY_HERE, NONE }

        /**
         * Reserves a capacity slot for the call: {@code NONE} when full, draining or unhealthy, {@code ALREADY_HERE}
         * when this worker hosts (or is taking) it.
         */
        Room reserve(String callId);

        /** The take-over write lost: gives the reserved slot back. */
        void unreserve(String callId);

        /** Starts the session of a call this worker has just taken over (reserved first); never greets. */
        void adopt(CallRecord call);
    }

    /** A host with no room: every call freed goes through the queue (tests, the stand-alone sweep). */
    public static final Host NO_ROOM = new Host() {
        @Override
        public Room reserve(String callId) {
            return Room.NONE;
        }

        @Override
        public void unreserve(String callId) {
        }

        @Override
        public void adopt(CallRecord call) {
            throw new IllegalStateException("no room was reserved");
        }
    };

    /** How one call was freed. */
    enum Freed { ADOPTED, REQUEUED, NOT_FREED }

    /** Why a worker judges no other worker gone right now ({@link LivenessRule}). */
    public enum Abstention {
        /** Its own record is not in the read (not registered yet, or expired). */
        NOT_REGISTERED,
        /** Another worker took this one over: its calls are not its own. */
        TAKEN_OVER,
        /** Its own beat is stale: it was stalled or cut off from the store, and cannot tell a dead owner from that. */
        OWN_BEAT_STALE,
        /** It just started, or its own beats were out until recently: the others may not have beaten again yet. */
        SETTLING
    }

    /**
     * What this worker concluded from one consistent read of every heartbeat ({@link #judge}).
     *
     * @param abstention why it judges nobody gone, empty when it may judge
     * @param read       the records read
     * @param gone       the workers it judges gone (silent past the limit, not yet taken over); empty when abstaining
     * @param nextLook   the earliest instant a look could conclude something new: when the first worker read alive
     *                   could go stale, when the settling ends; {@code now} when it depends on this worker's own beats
     */
    public record Judgement(Optional<Abstention> abstention, List<WorkerHeartbeats.Heartbeat> read,
                            List<WorkerHeartbeats.Heartbeat> gone, Instant nextLook) {
        /** Whether {@code workerId} counts as gone: judged so, or unknown to the read, while this worker may judge. */
        public boolean gone(String workerId) {
            return abstention.isEmpty() && (gone.stream().anyMatch(b -> b.workerId().equals(workerId))
                    || read.stream().noneMatch(b -> b.workerId().equals(workerId)));
        }
    }

    private final CallStore store;
    private final CallsQueue queue;
    private final String self;
    private final Clock clock;
    private final Host host;
    private final Executor io;
    private final LivenessRule rule;

    /** @param staleAfter how long a silent worker still counts as alive ({@code LEASE_DURATION_MS}) */
    public Takeover(CallStore store, CallsQueue queue, String self, Duration staleAfter, Clock clock) {
        this(store, queue, self, staleAfter, clock, NO_ROOM, Runnable::run);
    }

    /** @param io runs the per-call take-overs of one pass, {@value #PARALLEL} at a time */
    public Takeover(CallStore store, CallsQueue queue, String self, Duration staleAfter, Clock clock, Host host,
                    Executor io) {
        this.store = store;
        this.queue = queue;
        this.self = self;
        this.clock = clock;
        this.host = host;
        this.io = io;
        this.rule = new LivenessRule(self, staleAfter);
    }

    /** This worker registered (or registered afresh after being taken over) at {@code at}. */
    public void registered(Instant at) {
        rule.registered(at);
    }

    /** This worker's own heartbeat landed at {@code at} (when the write returned, not when it was sent). */
    public void ownBeatLanded(Instant at) {
        rule.beatLanded(at);
    }

    /**
     * The one rule by which this worker judges other workers gone ({@link LivenessRule}): from one consistent read of
     * every heartbeat, those silent for longer than {@code silence}, or why it judges nobody.
     */
    public Judgement judge(List<WorkerHeartbeats.Heartbeat> read, Instant now, Duration silence) {
        return rule.judge(read, now, silence);
    }

    /** The live index's calls, up to {@code max}: one listing a pass can go through. */
    public static List<CallRecord> liveCalls(CallStore store, int max) {
        List<CallRecord> calls = new ArrayList<>();
        Map<String, String> start = null;
        do {
            Page<CallRecord> page = store.callsIn(CallTable.LIVE, start, PAGE);
            calls.addAll(page.items());
            start = page.nextKey().orElse(null);
        } while (start != null && calls.size() < max);
        return calls;
    }

    /**
     * Takes over (or orphans and re-enqueues) every live call attached to {@code owner}, a worker this one has just
     * claimed ({@code WorkerHeartbeats.claimTakeover}); how many this worker freed.
     */
    public int freeCallsOf(String owner, String why) {
        return freeCalls(liveCalls(store, MAX_CALLS), call -> owner.equals(call.owner()), why);
    }

    /**
     * Takes over (or orphans and re-enqueues) each of {@code calls} that is attached and that {@code gone} says has
     * lost its owner (the caller judged that by {@link #judge}); how many this worker freed.
     */
    public int freeCalls(List<CallRecord> calls, Predicate<CallRecord> gone, String why) {
        List<CompletableFuture<Freed>> pending = new ArrayList<>();
        Semaphore parallel = new Semaphore(PARALLEL);
        for (CallRecord call : calls) {
            if (call.status() != CallStatus.ATTACHED || call.owner() == null || !gone.test(call)) {
                continue;
            }
            parallel.acquireUninterruptibly();
            CompletableFuture<Freed> one = new CompletableFuture<>();
            pending.add(one);
            try {
                io.execute(() -> {
                    try {
                        one.complete(LogContext.about(call.callId(), call.traceId()).get(() -> free(call, why)));
                    } catch (RuntimeException e) {
                        LOG.warn("call not freed; a later pass tries again", Map.of("call_id", call.callId(),
                                "owner", call.owner(), "error", JsonLog.describe(e)));
                        one.complete(Freed.NOT_FREED);
                    } finally {
                        parallel.release();
                    }
                });
            } catch (RuntimeException rejected) {
                parallel.release();
                one.complete(Freed.NOT_FREED);
            }
        }
        int freed = 0;
        for (CompletableFuture<Freed> one : pending) {
            if (one.join() != Freed.NOT_FREED) {
                freed++;
            }
        }
        return freed;
    }

    /** One call: taken over here when there is room, else orphaned and re-enqueued; each exactly once. */
    Freed free(CallRecord call, String why) {
        String previous = call.owner();
        Host.Room room = host.reserve(call.callId());
        if (room == Host.Room.ALREADY_HERE) {
            return Freed.NOT_FREED; // hosted here after all (taken from the queue since the caller looked)
        }
        if (room == Host.Room.RESERVED) {
            Optional<CallRecord> taken;
            try {
                taken = store.takeOver(call.callId(), previous, self, clock.instant());
            } catch (RuntimeException e) {
                host.unreserve(call.callId());
                throw e;
            }
            if (taken.isEmpty()) {
                host.unreserve(call.callId());
                return Freed.NOT_FREED; // moved on, or another worker took it first
            }
            LOG.warn("owner lost; call taken over", Map.of("call_id", call.callId(), "owner", previous, "why", why));
            ownerLost(call, previous, why, "taken_over");
            host.adopt(taken.get());
            return Freed.ADOPTED;
        }
        if (!store.orphanOwnedBy(call.callId(), previous, clock.instant())) {
            return Freed.NOT_FREED;
        }
        LOG.warn("owner lost; no room here, call orphaned and re-enqueued", Map.of("call_id", call.callId(),
                "owner", previous, "why", why));
        ownerLost(call, previous, why, "requeued");
        // if this send fails the call stays ORPHANED and the sweep re-sends it
        queue.send(new CallMessage(call.callId(), call.webhookId(),
                call.acceptedAt() == null ? 0 : call.acceptedAt().toEpochMilli(), CallMessage.Reason.ORPHANED));
        return Freed.REQUEUED;
    }

    private void ownerLost(CallRecord call, String previous, String why, String action) {
        METRICS.record(Measurement.one(Metric.FAILOVERS).with(Dimension.REASON, why).property("call_id", call.callId()));
        try {
            store.appendEvent(call.callId(), "owner_lost", Json.object().put("previousOwner", previous)
                    .put("detectedBy", self).put("why", why).put("action", action), clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("owner_lost event not recorded", Map.of("call_id", call.callId(), "error", JsonLog.describe(e)));
        }
    }
}
