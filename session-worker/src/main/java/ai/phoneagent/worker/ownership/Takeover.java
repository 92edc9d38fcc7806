package ai.phoneagent.worker.ownership;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallTable;
import ai.phoneagent.call.Page;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Frees calls whose owner is gone: each {@code ATTACHED} call pointing at such an owner is orphaned by a conditional
 * write (exactly one worker wins it), gets an {@code owner_lost} event, and is re-enqueued with reason
 * {@code orphaned}, so a worker with capacity re-attaches it without greeting again.
 */
public final class Takeover {
    private static final JsonLog LOG = JsonLog.forComponent("takeover");
    private static final int PAGE = 100;
    /** Bound on the live calls one pass looks at. */
    static final int MAX_CALLS = 20_000;

    private final CallStore store;
    private final CallsQueue queue;
    private final String self;
    private final Clock clock;
    /** When this worker's own heartbeat last landed; null before the first (no evidence of trouble yet). */
    private volatile Instant ownBeat;
    private volatile Duration staleAfter = Duration.ZERO;
    /** No owner is judged gone before this: this worker (or the store) was itself silent until recently. */
    private volatile Instant quietUntil = Instant.MIN;

    public Takeover(CallStore store, CallsQueue queue, String self, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.self = self;
        this.clock = clock;
    }

    /**
     * This worker's own heartbeat landed at {@code at}. When its previous one landed more than {@code staleAfter}
     * before, this worker, or the store, was out: every other worker's beat is then just as old for the same reason,
     * so no owner is judged gone until each has had {@code staleAfter} to beat again. A store outage thus delays
     * everybody's writes and takes nobody's calls away.
     */
    public void ownBeatLanded(Instant at, Duration staleAfter) {
        this.staleAfter = staleAfter;
        Instant previous = ownBeat;
        if (previous != null && Duration.between(previous, at).compareTo(staleAfter) > 0) {
            quietUntil = at.plus(staleAfter);
            LOG.warn("own heartbeat was out longer than the stale limit; judging no owner gone for a while",
                    Map.of("silent_ms", Duration.between(previous, at).toMillis(), "quiet_ms", staleAfter.toMillis()));
        }
        ownBeat = at;
    }

    /**
     * Whether this worker may judge another worker gone now: not while its own last beat is older than the stale
     * limit (it cannot tell a dead owner from a store it cannot reach), nor during the quiet period after that.
     */
    public boolean mayJudgeOwners(Instant now) {
        Instant own = ownBeat;
        return !now.isBefore(quietUntil) && (own == null || Duration.between(own, now).compareTo(staleAfter) <= 0);
    }

    /** Orphans and re-enqueues every live call attached to {@code owner}; returns how many this worker freed. */
    public int freeCallsOf(String owner, String why) {
        return freeCalls(call -> owner.equals(call.owner()), why);
    }

    /** Orphans and re-enqueues every live attached call {@code gone} says has lost its owner. */
    public int freeCalls(Predicate<CallRecord> gone, String why) {
        if (!mayJudgeOwners(clock.instant())) {
            LOG.info("no owner judged gone: this worker's own heartbeat was out until recently", Map.of("why", why));
            return 0;
        }
        int freed = 0;
        int seen = 0;
        Map<String, String> start = null;
        do {
            Page<CallRecord> page = store.callsIn(CallTable.LIVE, start, PAGE);
            for (CallRecord call : page.items()) {
                seen++;
                if (call.status() == CallStatus.ATTACHED && call.owner() != null && gone.test(call)) {
                    try {
                        if (free(call, why)) {
                            freed++;
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("call not freed; a later pass tries again", Map.of("call_id", call.callId(),
                                "owner", call.owner(), "error", JsonLog.describe(e)));
                    }
                }
            }
            start = page.nextKey().orElse(null);
        } while (start != null && seen < MAX_CALLS);
        return freed;
    }

    private boolean free(CallRecord call, String why) {
        if (!store.orphanOwnedBy(call.callId(), call.owner(), clock.instant())) {
            return false; // moved on, or another worker freed it first
        }
        LOG.warn("owner lost; call orphaned and re-enqueued", Map.of("call_id", call.callId(), "owner", call.owner(),
                "why", why));
        try {
            store.appendEvent(call.callId(), "owner_lost", Json.object().put("previousOwner", call.owner())
                    .put("detectedBy", self).put("why", why), clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("owner_lost event not recorded", Map.of("call_id", call.callId(), "error", JsonLog.describe(e)));
        }
        // if this send fails the call stays ORPHANED and the sweep re-sends it
        queue.send(new CallMessage(call.callId(), call.webhookId(),
                call.acceptedAt() == null ? 0 : call.acceptedAt().toEpochMilli(), CallMessage.Reason.ORPHANED));
        return true;
    }
}
