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
import ai.phoneagent.openai.RetryRunner;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;

/**
 * Every turn and event a call's session received, written to the call table off the call's event path: one lane per
 * call (worked by virtual threads only while it has entries), each write idempotent (turns by speaker and item id,
 * events by an id fixed when the entry was made) and retried with backoff until it lands. A write is conditional puts
 * side by side, no transaction ({@link CallStore#store}), and is issued as soon as the lane takes its entries, beside
 * the writes still in flight, with turn numbers reserved in the order received: a line is durable one store round
 * trip after it arrives, and never waits for an earlier line's answer. A turn's number comes from what this worker
 * last reserved or claimed, so a turn costs one request, not a read and a write; the call's turn count is raised
 * afterwards, off the lane. Observers of a line (Discord, call events) are told as its write is issued, by one
 * thread of the lane at a time, in the order received ({@link #turn(String, Turn.Speaker, String, String, Runnable)}).
 * A storage outage therefore delays writes, never drops them; it shows in the log and in {@link #health()}. Entries
 * older than {@code giveUpAfter} are the only ones ever dropped, each with an error line.
 */
public final class CallJournal {
    private static final JsonLog LOG = JsonLog.forComponent("journal");
    private static final MetricRecorder METRICS = EmfWriter.toLogStream();
    private static final Duration NO_DEADLINE = Duration.ofDays(36_500);

    /** What {@code /health} shows: writes waiting, and since when the store has been failing (null: it is not). */
    public record Health(long pending, Instant failingSince, long dropped) {
    }

    private final CallStore store;
    private final Clock clock;
    private final RetryRunner retry;
    /** Where the call item's turn count is raised after a write, so the lane goes on to its next entries at once. */
    private final Executor counts = Executors.newVirtualThreadPerTaskExecutor();
    private final Duration giveUpAfter;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    /**
     * Each hosted call's next turn number as this worker last reserved or claimed it ({@link #open}), so a turn is one
     * write, not a read and a write; dropped when the call stops here ({@link #close}).
     */
    private final ConcurrentHashMap<String, Long> nextSeq = new ConcurrentHashMap<>();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastEventMs = new AtomicLong();
    private final AtomicReference<Instant> failingSince = new AtomicReference<>();

    public CallJournal(CallStore store, Clock clock, Duration giveUpAfter) {
        this(store, clock, giveUpAfter, RetryRunner.Sleeper.PARK);
    }

    /** As {@link #CallJournal(CallStore, Clock, Duration)}, pausing between attempts with {@code sleeper}. */
    CallJournal(CallStore store, Clock clock, Duration giveUpAfter, RetryRunner.Sleeper sleeper) {
        this.store = store;
        this.clock = clock;
        this.giveUpAfter = giveUpAfter;
        // no attempt or time limit of its own: only entries older than giveUpAfter are given up (the failure hook)
        this.retry = new RetryRunner(new RetryPolicy(NO_DEADLINE, Duration.ofMillis(100), Duration.ofSeconds(5),
                RandomGenerator.getDefault()), Integer.MAX_VALUE, Duration.ofMillis(50), clock, sleeper);
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
        turn(callId, speaker, text, itemId, null);
    }

    /**
     * Queues a final utterance (blank text is ignored); {@code observers} (Discord, call events: null for none) run
     * on the call's lane as its store write starts, so nothing shows a line before its write is under way, and
     * nothing but earlier entries of the same call is written ahead of it.
     */
    public void turn(String callId, Turn.Speaker speaker, String text, String itemId, Runnable observers) {
        if (text != null && !text.isBlank()) {
            append(callId, new Entry.TurnEntry(speaker, text.strip(), itemId, clock.instant()), observers);
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
        append(callId, new Entry.EventEntry(CallStore.newEventId(Instant.ofEpochMilli(ms)), kind, details, now), null);
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

    private void append(String callId, Entry entry, Runnable observers) {
        pending.incrementAndGet();
        while (true) {
            Lane lane = lanes.computeIfAbsent(callId, Lane::new);
            Boolean start = lane.add(entry, observers);
            if (start == null) {
                continue; // that lane just emptied and retired; the next one takes the entry
            }
            if (start) {
                // in the appending call's context
                Thread.ofVirtual().name("journal-" + callId).start(LogContext.wrap(lane::issue));
            }
            return;
        }
    }

    /**
     * One call's writes. What queued since the lane last looked goes out at once as one write, beside the writes
     * still in flight, so no line waits for an earlier line's answer; turn numbers are reserved as a write is issued,
     * so the stored order is the order received. Only while the call's next number is unknown (a take-over whose
     * claimed count was stale, or a write that found its number taken) does a write with turns wait for the ones in
     * flight, and then reads the number.
     *
     * <p>No thread waits on the lane: one thread at a time holds the issuing role ({@code issuing}). It takes a batch,
     * tells its observers, and then writes that batch itself unless more entries queued meanwhile (it then hands the
     * write to a new thread and goes on issuing). A thread whose write ends takes the role when entries wait and nobody
     * holds it; the last one out retires the lane. A call's lines usually cost one thread per batch and no hand-off.
     */
    private final class Lane {
        private final String callId;
        private final ArrayDeque<Entry> queued = new ArrayDeque<>();
        /** Each queued entry's observers, until its write starts. */
        private final IdentityHashMap<Entry, Runnable> observers = new IdentityHashMap<>();
        private int inFlight;
        /** The highest turn count to write, and whether a count write is under way ({@link #raiseTurnCount}). */
        private long countDue;
        private boolean countWriting;
        private boolean issuing;
        private boolean retired;

        Lane(String callId) {
            this.callId = callId;
        }

        /** Adds an entry; true when the caller must start a thread to {@link #issue}, null when the lane retired. */
        synchronized Boolean add(Entry entry, Runnable toldAtWrite) {
            if (retired) {
                return null;
            }
            queued.addLast(entry);
            if (toldAtWrite != null) {
                observers.put(entry, toldAtWrite);
            }
            return takeIssuingRole();
        }

        synchronized boolean idle() {
            return !issuing && inFlight == 0 && queued.isEmpty();
        }

        /** Takes the issuing role when entries can go out and nobody holds it (the lane's lock is held). */
        private boolean takeIssuingRole() {
            if (issuing || !canIssue()) {
                return false;
            }
            issuing = true;
            return true;
        }

        /**
         * Whether a batch can be issued now: entries wait, and their turns' numbers are known or nothing is in flight
         * (which then reads them).
         */
        private boolean canIssue() {
            if (queued.isEmpty()) {
                return false;
            }
            boolean numberUnknown = inFlight > 0 && nextSeq.getOrDefault(callId, CallStore.UNKNOWN_SEQ) < 0
                    && queued.stream().anyMatch(e -> e instanceof Entry.TurnEntry);
            return !numberUnknown;
        }

        /**
         * Run by the holder of the issuing role: issues batches until none can go; writes the last one on this thread,
         * and goes on issuing when entries are waiting once it is stored.
         */
        void issue() {
            while (true) {
                List<Entry> batch = new ArrayList<>();
                long expected;
                synchronized (this) {
                    if (!canIssue()) {
                        issuing = false;
                        retireIfDone();
                        return;
                    }
                    expected = nextSeq.getOrDefault(callId, CallStore.UNKNOWN_SEQ);
                    while (!queued.isEmpty() && batch.size() < CallStore.MAX_APPEND) {
                        batch.add(queued.pollFirst());
                    }
                    long turns = batch.stream().filter(e -> e instanceof Entry.TurnEntry).count();
                    if (expected >= 0) {
                        long reserved = expected + turns;
                        nextSeq.computeIfPresent(callId, (id, was) -> reserved);
                    }
                    inFlight++;
                }
                // told while this thread holds the issuing role, which one thread holds at a time: batch after batch,
                // the order received, whichever threads write the batches (they may finish in any order)
                notifyObservers(batch);
                long from = expected;
                boolean more;
                synchronized (this) {
                    more = canIssue();
                    issuing = more;
                }
                if (more) {
                    Thread.ofVirtual().name("journal-" + callId).start(LogContext.wrap(() -> {
                        if (settle(batch, from)) {
                            issue(); // this write ended with entries waiting and nobody issuing them
                        }
                    }));
                    continue;
                }
                if (!settle(batch, from)) {
                    return;
                }
            }
        }

        /**
         * Writes the batch until each entry is stored or given up; then, on a lane with entries waiting and nobody
         * issuing, takes the issuing role (true: the caller goes on issuing), or retires a lane left with nothing.
         */
        private boolean settle(List<Entry> batch, long expected) {
            List<Entry> left = batch;
            while (!left.isEmpty()) {
                int settled = write(left, expected);
                pending.addAndGet(-settled);
                // given up: the oldest; the rest is numbered from the same start (a row that did land is found)
                left = left.subList(settled, left.size());
            }
            synchronized (this) {
                inFlight--;
                if (takeIssuingRole()) {
                    return true;
                }
                retireIfDone();
                return false;
            }
        }

        /** Retires the lane when nothing is queued, in flight or being issued (the lane's lock is held). */
        private void retireIfDone() {
            if (!issuing && inFlight == 0 && queued.isEmpty()) {
                retired = true;
                lanes.remove(callId, this); // a later entry makes a new lane
            }
        }

        /** Runs the observers of the batch's entries, as the batch's write is issued. */
        private void notifyObservers(List<Entry> batch) {
            for (Entry entry : batch) {
                Runnable told;
                synchronized (this) {
                    told = observers.remove(entry);
                }
                if (told != null) {
                    try {
                        told.run();
                    } catch (RuntimeException e) {
                        LOG.warn("transcript observer failed", Map.of("call_id", callId, "error", JsonLog.describe(e)));
                    }
                }
            }
        }

        /**
         * Writes the batch with its turns numbered from {@code expected} in every attempt (so a retry finds what an
         * unanswered attempt stored), retrying; returns how many of its entries are settled (stored, or given up).
         */
        private int write(List<Entry> batch, long expected) {
            int[] expired = {0};
            RetryRunner.Outcome<CallStore.Appended> outcome = retry.run(() -> store.store(callId, expected, batch), LOG,
                    "call store write failed; retrying", Map.of("call_id", callId, "entries", batch.size()),
                    (attempt, e) -> {
                        failingSince.compareAndSet(null, clock.instant());
                        // only what is older than giveUpAfter is dropped; the rest is tried again in the next batch
                        while (expired[0] < batch.size()
                                && clock.instant().isAfter(batch.get(expired[0]).at().plus(giveUpAfter))) {
                            expired[0]++;
                        }
                        if (expired[0] == 0) {
                            METRICS.record(Measurement.one(Metric.STORE_RETRIES).property("call_id", callId));
                        }
                        return expired[0] == 0;
                    });
            switch (outcome) {
                case RetryRunner.Outcome.Done<CallStore.Appended> done -> stored(batch, done.value());
                case RetryRunner.Outcome.GaveUp<CallStore.Appended> gaveUp -> {
                    dropped.addAndGet(expired[0]);
                    LOG.error("call store write given up", Map.of("call_id", callId, "entries", expired[0],
                            "error", JsonLog.describe(gaveUp.last())));
                    return expired[0];
                }
            }
            return batch.size();
        }

        private void stored(List<Entry> batch, CallStore.Appended appended) {
            // the reservation of a later write stands unless this one had to number its turns further on
            nextSeq.computeIfPresent(callId, (id, was) -> Math.max(was, appended.nextSeq()));
            long turns = 0;
            for (int i = 0; i < batch.size(); i++) {
                turns += batch.get(i) instanceof Entry.TurnEntry && !appended.alreadyStored().contains(i) ? 1 : 0;
            }
            if (turns > 0) {
                METRICS.record(Measurement.of(Metric.TURNS_STORED, turns).property("call_id", callId));
                raiseTurnCount(appended.nextSeq());
            }
            Instant since = failingSince.getAndSet(null);
            if (since != null) {
                LOG.info("call store writes recovered", Map.of("call_id", callId,
                        "failing_ms", Duration.between(since, clock.instant()).toMillis()));
            }
        }

        /**
         * Raises the call item's turn count to {@code next}, off the lane: the turns are stored already, and a count
         * left behind costs the next writer a re-read. One count write per call at a time; counts raised meanwhile
         * are written together as the highest.
         */
        private void raiseTurnCount(long next) {
            synchronized (this) {
                if (next <= countDue) {
                    return;
                }
                countDue = next;
                if (countWriting) {
                    return;
                }
                countWriting = true;
            }
            counts.execute(this::writeTurnCounts);
        }

        private void writeTurnCounts() {
            while (true) {
                long next;
                synchronized (this) {
                    next = countDue;
                }
                try {
                    store.recordTurnCount(callId, next);
                } catch (RuntimeException e) {
                    LOG.warn("call turn count not updated; the next turn's write updates it",
                            Map.of("call_id", callId, "error", JsonLog.describe(e)));
                }
                synchronized (this) {
                    if (countDue == next) {
                        countWriting = false;
                        return;
                    }
                }
            }
        }
    }
}
