package ai.phoneagent.worker.summary;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallSummary;
import ai.phoneagent.call.CallSummaryStore;
import ai.phoneagent.call.Turn;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.worker.call.CallLifecycleListener;
import ai.phoneagent.worker.call.CallSession;
import ai.phoneagent.worker.discord.DiscordSink;
import ai.phoneagent.worker.discord.DiscordText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Summarises calls after they end, off their path: when a call this worker hosted has {@code ENDED} stored, it
 * claims the call's summary ({@code pending}), reads the transcript, asks the Responses API (retried with backoff
 * within {@code SUMMARY_RETRY_MS}), stores {@code done} / {@code failed} / {@code skipped} and posts the summary to
 * Discord under the end notice. At most {@value #CONCURRENCY} requests run at once per worker.
 *
 * <p>Nothing is lost with a worker: a recovery sweep (every minute, on every worker) takes ended calls of the last
 * {@link SummarySettings#recoveryLookback()} that have no summary after {@link #UNCLAIMED_AFTER}, or whose claim
 * lapsed (a worker died while summarising), and calls ended by others (the sweep, the control side).
 */
public final class CallSummarizer implements CallLifecycleListener, AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("summary");
    static final int CONCURRENCY = 8;
    /** An ended call without a summary claim this long after its end lost its worker's job (or had no worker). */
    public static final Duration UNCLAIMED_AFTER = Duration.ofMinutes(2);
    private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(60);
    private static final RetryPolicy STORE_RETRY = new RetryPolicy(Duration.ofSeconds(30), Duration.ofMillis(200),
            Duration.ofSeconds(5), RandomGenerator.getDefault());

    private final SummarySettings settings;
    private final CallStore store;
    private final CallSummaryStore summaries;
    private final ResponsesClient client;
    private final DiscordSink discord;
    private final String workerId;
    private final Clock clock;
    private final RetryPolicy retry;
    private final ExecutorService jobs = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("summary-", 0).factory());
    private final Semaphore permits = new Semaphore(CONCURRENCY);
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile boolean halted;
    private ScheduledFuture<?> sweep;

    public CallSummarizer(SummarySettings settings, CallStore store, ResponsesClient client, DiscordSink discord,
                          String workerId, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.summaries = new CallSummaryStore(store.client(), store.tableName());
        this.client = client;
        this.discord = discord;
        this.workerId = workerId;
        this.clock = clock;
        this.retry = new RetryPolicy(settings.retryWindow(), Duration.ofSeconds(1), Duration.ofSeconds(60),
                RandomGenerator.getDefault());
    }

    /** Starts the recovery sweep on {@code timers} (the work itself runs on this summarizer's own threads). */
    public CallSummarizer start(ScheduledExecutorService timers) {
        long interval = SWEEP_INTERVAL.toMillis();
        sweep = timers.scheduleWithFixedDelay(() -> jobs.execute(this::sweepQuietly),
                ThreadLocalRandom.current().nextLong(interval), interval, TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void onEnded(CallSession session, String reason) {
        submit(session.callId());
    }

    /** Summarises the call in the background unless it is already being summarised here. */
    public void submit(String callId) {
        if (closed || !inFlight.add(callId)) {
            return;
        }
        try {
            jobs.execute(() -> {
                try {
                    permits.acquire();
                    try {
                        summarise(callId);
                    } finally {
                        permits.release();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    // the claim (if taken) lapses and the recovery sweep tries again
                    LOG.warn("call summary interrupted; the sweep retries it", Map.of("call_id", callId,
                            "error", JsonLog.describe(e)));
                } finally {
                    inFlight.remove(callId);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.remove(callId); // stopping: the sweep of another worker takes it
        }
    }

    /**
     * Looks for ended calls whose summary was never made or was abandoned, and summarises them; the number
     * submitted. Every worker runs it each minute.
     */
    public int sweepOnce() {
        Instant now = clock.instant();
        List<String> found = summaries.unsettled(now.minus(settings.recoveryLookback()), now.minus(UNCLAIMED_AFTER), now);
        found.forEach(this::submit);
        if (!found.isEmpty()) {
            LOG.info("summaries recovered", Map.of("count", found.size()));
        }
        return found.size();
    }

    private void sweepQuietly() {
        try {
            sweepOnce();
        } catch (RuntimeException e) {
            LOG.warn("summary recovery sweep failed; it runs again", Map.of("error", JsonLog.describe(e)));
        }
    }

    /** Claims, makes and stores one call's summary; empty when another worker has it or the call has not ended. */
    Optional<CallSummary> summarise(String callId) {
        String model = settings.model().orElseThrow();
        if (!summaries.claim(callId, workerId, model, clock.instant(), settings.claimLease())) {
            return Optional.empty();
        }
        CallRecord call = store.get(callId).orElseThrow();
        List<Turn> turns = store.allTurns(callId);
        CallSummary summary = SummaryInput.hasConversation(turns)
                ? ask(callId, SummaryInput.of(call, turns, settings.maxTranscriptChars()), model)
                : new CallSummary(CallSummary.Status.SKIPPED, null, model, clock.instant(), "no_transcript", 0);
        if (summary == null) {
            Thread.interrupted(); // stopping: clear the interrupt so the release below can be written
            if (!halted) {
                summaries.release(callId, workerId);
            }
            return Optional.empty();
        }
        if (!settle(callId, summary)) {
            return Optional.empty();
        }
        Map<String, Object> fields = new java.util.HashMap<>(Map.of("call_id", callId,
                "status", summary.status().wireName(), "attempts", summary.attempts()));
        if (summary.error() != null) {
            fields.put("why", summary.error());
        }
        if (summary.status() == CallSummary.Status.FAILED) {
            LOG.warn("call summary failed", fields);
        } else {
            LOG.info("call summary stored", fields);
        }
        if (summary.status() != CallSummary.Status.SKIPPED) {
            discord.post(callId, DiscordText.summaryNotice(summary));
        }
        return Optional.of(summary);
    }

    /** Asks until an answer settles it or the retry window closes; null when the worker is stopping. */
    private CallSummary ask(String callId, String input, String model) {
        Instant deadline = clock.instant().plus(settings.retryWindow());
        for (int attempt = 1; ; attempt++) {
            ResponsesClient.Answer answer = client.summarise(input);
            if (Thread.currentThread().isInterrupted()) {
                return null;
            }
            switch (answer) {
                case ResponsesClient.Answer.Summarised s -> {
                    return new CallSummary(CallSummary.Status.DONE, s.fields(), model, clock.instant(), null, attempt);
                }
                case ResponsesClient.Answer.GiveUp g -> {
                    return new CallSummary(CallSummary.Status.FAILED, null, model, clock.instant(), g.why(), attempt);
                }
                case ResponsesClient.Answer.TryAgain t -> {
                    Duration pause = retry.delayBefore(attempt).plusMillis(100);
                    if (clock.instant().plus(pause).isAfter(deadline)) {
                        return new CallSummary(CallSummary.Status.FAILED, null, model, clock.instant(),
                                "gave_up: " + t.why(), attempt);
                    }
                    LOG.info("call summary retried", Map.of("call_id", callId, "attempt", attempt, "why", t.why(),
                            "retry_in_ms", pause.toMillis()));
                    try {
                        Thread.sleep(pause);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                }
            }
        }
    }

    /** Stores the settled summary, retrying store failures briefly; false when the claim was lost meanwhile. */
    private boolean settle(String callId, CallSummary summary) {
        long deadline = System.nanoTime() + STORE_RETRY.deadline().toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                if (summaries.settle(callId, workerId, summary)) {
                    return true;
                }
                LOG.warn("call summary not stored: another worker holds the claim", Map.of("call_id", callId));
                return false;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(STORE_RETRY.delayBefore(attempt).plusMillis(50));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /** Stops: no new work; summaries in flight give their claims back so another worker's sweep takes them. */
    @Override
    public void close() {
        closed = true;
        if (sweep != null) {
            sweep.cancel(false);
        }
        jobs.shutdownNow();
    }

    /** Stops as a killed process would: nothing more is written; claims in flight lapse on their own. */
    public void halt() {
        halted = true;
        close();
    }
}
