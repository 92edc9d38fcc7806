package ai.phoneagent.worker.ownership;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallTable;
import ai.phoneagent.call.Page;
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
import java.util.Map;
import java.util.function.Predicate;

/**
 * Frees calls whose owner is gone: each {@code ATTACHED} call pointing at such an owner is orphaned by a conditional
 * write (exactly one worker wins it), gets an {@code owner_lost} event, and is re-enqueued with reason
 * {@code orphaned}, so a worker with capacity re-attaches it without greeting again.
 */
public final class Takeover {
    private static final JsonLog LOG = JsonLog.forComponent("takeover");
    private static final MetricRecorder METRICS = EmfWriter.toLogStream();
    private static final int PAGE = 100;
    /** Bound on the live calls one pass looks at. */
    static final int MAX_CALLS = 20_000;

    private final CallStore store;
    private final CallsQueue queue;
    private final String self;
    private final Clock clock;

    public Takeover(CallStore store, CallsQueue queue, String self, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.self = self;
        this.clock = clock;
    }

    /** Orphans and re-enqueues every live call attached to {@code owner}; returns how many this worker freed. */
    public int freeCallsOf(String owner, String why) {
        return freeCalls(call -> owner.equals(call.owner()), why);
    }

    /** Orphans and re-enqueues every live attached call {@code gone} says has lost its owner. */
    public int freeCalls(Predicate<CallRecord> gone, String why) {
        int freed = 0;
        int seen = 0;
        Map<String, String> start = null;
        do {
            Page<CallRecord> page = store.callsIn(CallTable.LIVE, start, PAGE);
            for (CallRecord call : page.items()) {
                seen++;
                if (call.status() == CallStatus.ATTACHED && call.owner() != null && gone.test(call)) {
                    try {
                        if (LogContext.about(call.callId(), call.traceId()).get(() -> free(call, why))) {
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
        METRICS.record(Measurement.one(Metric.FAILOVERS).with(Dimension.REASON, why).property("call_id", call.callId()));
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
