package ai.phoneagent.worker.transcript;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.Turn;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.metrics.EmfWriter;
import ai.phoneagent.metrics.Measurement;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.metrics.MetricRecorder;
import ai.phoneagent.openai.RetryPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;

/**
 * Every turn and event a call's session received, written to the call table off the call's event path: one ordered
 * lane per call (drained by a virtual thread only while it has entries), each write idempotent (turns by speaker and
 * item id, events by an id fixed when the entry was made) and retried with backoff until it lands. A storage outage
 * therefore delays writes, never drops them; it shows in the log and in {@link #health()}. Entries older than
 * {@code giveUpAfter} are the only ones ever dropped, each with an error line.
 */
public final class CallJournal {
    private static final JsonLog LOG = JsonLog.forComponent("journal");
    private static final MetricRecorder METRICS = EmfWriter.toLogStream();

    /** One write waiting for the store. */
    sealed interface Entry {
        Instant at();

        record TurnEntry(Turn.Speaker speaker, String text, String itemId, Instant at) implements Entry {
        }

        record EventEntry(String id, String kind, JsonNode details, Instant at) implements Entry {
        }
    }

    /** What {@code /health} shows: writes waiting, and since when the store has been failing (null: it is not). */
    public record Health(long pending, Instant failingSince, long dropped) {
    }

    private final CallStore store;
    private final Clock clock;
    private final RetryPolicy retry;
    private final Duration giveUpAfter;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastEventMs = new AtomicLong();
    private final AtomicReference<Instant> failingSince = new AtomicReference<>();

    public CallJournal(CallStore store, Clock clock, Duration giveUpAfter) {
        this.store = store;
        this.clock = clock;
        this.giveUpAfter = giveUpAfter;
        this.retry = new RetryPolicy(giveUpAfter, Duration.ofMillis(100), Duration.ofSeconds(5), RandomGenerator.getDefault());
    }

    /** Queues a final utterance (blank text is ignored). */
    public void turn(String callId, Turn.Speaker speaker, String text, String itemId) {
        if (text != null && !text.isBlank()) {
            append(callId, new Entry.TurnEntry(speaker, text.strip(), itemId, clock.instant()));
        }
    }

    /**
     * Queues a non-turn event. Its id's time part never repeats on this worker (a second event in the same millisecond
     * takes the next one), so events sort in the order they were received; the random tail keeps them apart from
     * another worker's.
     */
    public void event(String callId, String kind, JsonNode details) {
        Instant now = clock.instant();
        long ms = lastEventMs.accumulateAndGet(now.toEpochMilli(), (previous, current) -> Math.max(previous + 1, current));
        append(callId, new Entry.EventEntry(CallStore.newEventId(Instant.ofEpochMilli(ms)), kind, details, now));
    }

    /** Waits up to {@code timeout} for everything queued for the call to be stored; true when it is. */
    public boolean flush(String callId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Lane lane = lanes.get(callId);
        while (lane != null && !lane.idle()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }

    /** Waits up to {@code timeout} for every lane to drain (worker shutdown). */
    public boolean flushAll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }

    public Health health() {
        return new Health(pending.get(), failingSince.get(), dropped.get());
    }

    private void append(String callId, Entry entry) {
        pending.incrementAndGet();
        while (true) {
            Lane lane = lanes.computeIfAbsent(callId, Lane::new);
            Boolean start = lane.add(entry);
            if (start == null) {
                continue; // that lane just emptied and retired; the next one takes the entry
            }
            if (start) {
                Thread.ofVirtual().name("journal-" + callId).start(LogContext.wrap(lane::drain)); // the appending call's context
            }
            return;
        }
    }

    /** One call's writes, in order; {@code draining} is true while a thread works through them. */
    private final class Lane {
        private final String callId;
        private final ArrayDeque<Entry> entries = new ArrayDeque<>();
        private boolean draining;
        private boolean retired;

        Lane(String callId) {
            this.callId = callId;
        }

        /** Adds an entry; true when the caller must start the drain, null when this lane is retired. */
        synchronized Boolean add(Entry entry) {
            if (retired) {
                return null;
            }
            entries.addLast(entry);
            if (draining) {
                return false;
            }
            draining = true;
            return true;
        }

        synchronized boolean idle() {
            return !draining && entries.isEmpty();
        }

        private synchronized Entry head() {
            Entry head = entries.peekFirst();
            if (head == null) {
                draining = false;
                retired = true;
                lanes.remove(callId, this); // a later entry makes a new lane
            }
            return head;
        }

        private synchronized void pop() {
            entries.pollFirst();
        }

        void drain() {
            Entry entry;
            while ((entry = head()) != null) {
                write(entry);
                pop();
                pending.decrementAndGet();
            }
        }

        private void write(Entry entry) {
            for (int attempt = 1; ; attempt++) {
                try {
                    switch (entry) {
                        case Entry.TurnEntry t -> store.appendTurn(callId, t.speaker(), t.text(), t.itemId(), t.at());
                        case Entry.EventEntry e -> store.appendEvent(callId, e.id(), e.kind(), e.details(), e.at());
                    }
                    if (entry instanceof Entry.TurnEntry) {
                        METRICS.record(Measurement.one(Metric.TURNS_STORED).property("call_id", callId));
                    }
                    Instant since = failingSince.getAndSet(null);
                    if (since != null) {
                        LOG.info("call store writes recovered", Map.of("call_id", callId,
                                "failing_ms", Duration.between(since, clock.instant()).toMillis()));
                    }
                    return;
                } catch (RuntimeException e) {
                    failingSince.compareAndSet(null, clock.instant());
                    if (clock.instant().isAfter(entry.at().plus(giveUpAfter))) {
                        dropped.incrementAndGet();
                        LOG.error("call store write given up", Map.of("call_id", callId,
                                "entry", entry instanceof Entry.TurnEntry ? "turn" : "event", "error", JsonLog.describe(e)));
                        return;
                    }
                    METRICS.record(Measurement.one(Metric.STORE_RETRIES).property("call_id", callId));
                    Duration pause = retry.delayBefore(Math.min(attempt, 8));
                    if (attempt == 1 || attempt % 10 == 0) {
                        LOG.warn("call store write failed; retrying", Map.of("call_id", callId, "attempt", attempt,
                                "pending", pending.get(), "error", JsonLog.describe(e)));
                    }
                    LockSupport.parkNanos(Math.max(50_000_000L, pause.toNanos()));
                }
            }
        }
    }
}
