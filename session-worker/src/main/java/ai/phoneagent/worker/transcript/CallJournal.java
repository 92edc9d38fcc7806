package ai.phoneagent.worker.transcript;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallStore.Entry;
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
import java.util.ArrayList;
import java.util.List;
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
 * item id, events by an id fixed when the entry was made) and retried with backoff until it lands. What queues up while
 * a write is in flight goes in the next one, as one request ({@link CallStore#append}), and a turn's number comes from
 * what this worker last wrote or claimed, so a turn costs one request, not a read and a write. A storage outage
 * therefore delays writes, never drops them; it shows in the log and in {@link #health()}. Entries older than
 * {@code giveUpAfter} are the only ones ever dropped, each with an error line.
 */
public final class CallJournal {
    private static final JsonLog LOG = JsonLog.forComponent("journal");
    private static final MetricRecorder METRICS = EmfWriter.toLogStream();

    /** What {@code /health} shows: writes waiting, and since when the store has been failing (null: it is not). */
    public record Health(long pending, Instant failingSince, long dropped) {
    }

    private final CallStore store;
    private final Clock clock;
    private final RetryPolicy retry;
    private final Duration giveUpAfter;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    /**
     * Each hosted call's next turn number as this worker last wrote or claimed it ({@link #open}), so a turn is one
     * write, not a read and a write; dropped when the call stops here ({@link #close}).
     */
    private final ConcurrentHashMap<String, Long> nextSeq = new ConcurrentHashMap<>();
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

    /**
     * The call is hosted here from now on; {@code nextSeq} is its next turn number as the claim read it (a stale
     * one costs one read at the first turn, never a wrong number).
     */
    public void open(String callId, long nextSeq) {
        this.nextSeq.put(callId, nextSeq);
    }

    /** The call is no longer hosted here (writes still queued go on). */
    public void close(String callId) {
        nextSeq.remove(callId);
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

        /** Up to {@link CallStore#MAX_APPEND} entries from the head, written together. */
        private synchronized List<Entry> batch() {
            List<Entry> batch = new ArrayList<>(Math.min(entries.size(), CallStore.MAX_APPEND));
            for (Entry e : entries) {
                if (batch.size() == CallStore.MAX_APPEND) {
                    break;
                }
                batch.add(e);
            }
            return batch;
        }

        private synchronized void pop(int count) {
            for (int i = 0; i < count; i++) {
                entries.pollFirst();
            }
        }

        /** Writes what is queued, every entry queued meanwhile in the same request as the next ones. */
        void drain() {
            while (head() != null) {
                int settled = write(batch());
                pop(settled);
                pending.addAndGet(-settled);
            }
        }

        /** Writes the batch, retrying; returns how many of its entries are settled (stored, or given up). */
        private int write(List<Entry> batch) {
            for (int attempt = 1; ; attempt++) {
                try {
                    long expected = nextSeq.getOrDefault(callId, CallStore.UNKNOWN_SEQ);
                    CallStore.Appended appended = store.append(callId, expected, batch);
                    nextSeq.computeIfPresent(callId, (id, was) -> appended.nextSeq());
                    long turns = 0;
                    for (int i = 0; i < batch.size(); i++) {
                        turns += batch.get(i) instanceof Entry.TurnEntry && !appended.alreadyStored().contains(i) ? 1 : 0;
                    }
                    if (turns > 0) {
                        METRICS.record(Measurement.of(Metric.TURNS_STORED, turns).property("call_id", callId));
                    }
                    Instant since = failingSince.getAndSet(null);
                    if (since != null) {
                        LOG.info("call store writes recovered", Map.of("call_id", callId,
                                "failing_ms", Duration.between(since, clock.instant()).toMillis()));
                    }
                    return batch.size();
                } catch (RuntimeException e) {
                    failingSince.compareAndSet(null, clock.instant());
                    nextSeq.computeIfPresent(callId, (id, was) -> CallStore.UNKNOWN_SEQ); // the write may have landed
                    int expired = 0;
                    while (expired < batch.size() && clock.instant().isAfter(batch.get(expired).at().plus(giveUpAfter))) {
                        expired++;
                    }
                    if (expired > 0) {
                        // only what is older than giveUpAfter; the rest is tried again in the next batch
                        dropped.addAndGet(expired);
                        LOG.error("call store write given up", Map.of("call_id", callId, "entries", expired,
                                "error", JsonLog.describe(e)));
                        return expired;
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
