package ai.phoneagent.worker.control;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.WorkerHeartbeats;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.CallsOutcome;
import ai.phoneagent.queue.CallMessage;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.worker.ownership.Takeover;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * The worker's periodic clean-up, one task per worker at a jittered interval; every step is a conditional write or
 * an idempotent delete, so any number of workers may sweep at once. Whether another worker is gone is judged by
 * {@link Takeover#judge}, as the heartbeat scan does (nobody while this worker itself just started or was silent):
 * <ol>
 *   <li>nudge queues of workers retired or silent for long are deleted;</li>
 *   <li>control queues whose call is unknown, or ended more than {@code resendAfter} ago (its worker died before
 *       deleting the queue), are deleted;</li>
 *   <li>live calls {@code ATTACHED} to an owner that is gone (no heartbeat for {@code staleAfter + orphanGrace},
 *       taken over, unknown) or to this worker without being hosted here are freed ({@link Takeover}: taken over here
 *       by a conditional write when there is room, else orphaned and re-enqueued). The heartbeat take-over normally
 *       does this within seconds; the sweep is the safety net when its winner died mid-way;</li>
 *   <li>deadlines of the waiting statuses: {@code ACCEPTED}/{@code QUEUED} unclaimed for {@value #QUEUED_DEADLINE_S} s
 *       are re-enqueued (at most once per {@code resendAfter}); {@code RECEIVED} past {@code receivedDeadline} (accept never
 *       succeeded) is hung up at OpenAI and ended {@code accept_failed};</li>
 *   <li>calls still {@code ORPHANED} after {@code resendAfter} (their hand-off message was lost) are re-enqueued, at
 *       most once per {@code resendAfter} ({@link CallStore#sweepOrphaned}); one orphaned for longer than
 *       {@code orphanDeadline} (nobody can take it) is claimed ({@link CallStore#claimOrphanEnd}), hung up at OpenAI
 *       and ended {@code lost}.</li>
 * </ol>
 */
public final class Sweeper implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("sweep");
    /** Bounds one sweep: live calls looked at and calls re-enqueued. */
    static final int MAX_CALLS = 5_000;
    static final int MAX_REQUEUES = 200;
    /** An accepted or queued call nobody claimed for this long lost its queue message: it is re-enqueued. */
    static final long QUEUED_DEADLINE_S = 30;
    static final Duration QUEUED_DEADLINE = Duration.ofSeconds(QUEUED_DEADLINE_S);
    /** End reason of a call that stayed orphaned past its deadline. */
    static final String LOST = "lost";
    static final String ACCEPT_FAILED = "accept_failed";
    /** How long an orphan's end claim keeps workers off it while this sweep hangs it up. */
    static final Duration ORPHAN_END_HOLD = Duration.ofSeconds(30);

    private final ControlQueues queues;
    private final CallStore calls;
    private final WorkerHeartbeats beats;
    private final Takeover takeover;
    private final String self;
    private final Supplier<Collection<String>> hostedCalls;
    private final Duration staleAfter;
    private final CallsQueue callsQueue;
    private final CallsClient openAi;
    private final Duration interval;
    private final Duration orphanGrace;
    private final Duration resendAfter;
    private final Duration orphanDeadline;
    /** A call still {@code RECEIVED} after this long will never be accepted: it is hung up and ended. */
    private final Duration receivedDeadline;
    private final Clock clock;
    private final RandomGenerator random;
    private volatile boolean stopped;
    private Thread thread;

    /** What one sweep did; {@code callsEnded}: stuck calls hung up and ended (never accepted, orphaned too long). */
    public record Report(int queuesDeleted, int callsOrphaned, int callsRequeued, int callsEnded) {
    }

    /**
     * @param hostedCalls the calls this worker hosts or is taking right now
     * @param staleAfter  how long a silent worker counts as alive ({@code LEASE_DURATION_MS})
     * @param orphanGrace how much longer the sweep waits than the heartbeat take-over before freeing such calls
     * @param orphanDeadline how long a call may stay {@code ORPHANED} before it is hung up and ended {@value #LOST}
     * @param receivedDeadline how long a call may stay {@code RECEIVED} ({@code RECEIVED_DEADLINE_MS})
     */
    public Sweeper(ControlQueues queues, CallStore calls, WorkerHeartbeats beats, Takeover takeover, String self,
                   Supplier<Collection<String>> hostedCalls, CallsQueue callsQueue, CallsClient openAi, Duration interval,
                   Duration staleAfter, Duration orphanGrace, Duration resendAfter, Duration orphanDeadline,
                   Duration receivedDeadline, Clock clock,
                   RandomGenerator random) {
        this.queues = queues;
        this.calls = calls;
        this.beats = beats;
        this.takeover = takeover;
        this.self = self;
        this.hostedCalls = hostedCalls;
        this.staleAfter = staleAfter;
        this.callsQueue = callsQueue;
        this.openAi = openAi;
        this.interval = interval;
        this.orphanGrace = orphanGrace;
        this.resendAfter = resendAfter;
        this.orphanDeadline = orphanDeadline;
        this.receivedDeadline = receivedDeadline;
        this.clock = clock;
        this.random = random;
    }

    /** Starts the periodic task; an interval of zero means off. */
    public Sweeper start() {
        if (interval.isPositive()) {
            thread = Thread.ofVirtual().name("sweeper").start(this::run);
        }
        return this;
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(jittered());
            } catch (InterruptedException e) {
                return;
            }
            if (stopped) {
                return;
            }
            try {
                sweepOnce();
            } catch (RuntimeException e) {
                LOG.warn("sweep failed", Map.of("error", JsonLog.describe(e)));
            }
        }
    }

    /** The interval spread over ±25 %, so workers started together do not sweep together. */
    private Duration jittered() {
        long ms = interval.toMillis();
        return Duration.ofMillis(Math.max(1, ms * 3 / 4 + random.nextLong(Math.max(1, ms / 2))));
    }

    /**
     * Runs every step once, now; each step's failure is logged and the others still run. One read of the heartbeats
     * and one listing of the live calls serve every step: who is gone is judged once ({@link Takeover#judge}), and a
     * control queue's call is read only when the listing does not show it live.
     */
    public Report sweepOnce() {
        int deleted = 0;
        int orphaned = 0;
        int requeued = 0;
        int ended = 0;
        Takeover.Judgement judgement = null;
        try {
            judgement = takeover.judge(beats.all(), clock.instant(), staleAfter.plus(orphanGrace));
        } catch (RuntimeException e) {
            LOG.warn("heartbeats not read; judging no owner gone this sweep", Map.of("error", JsonLog.describe(e)));
        }
        Set<String> live = Set.of();
        try {
            List<CallRecord> listed = Takeover.liveCalls(calls, MAX_CALLS);
            live = listed.stream().filter(c -> !c.status().isTerminal()).map(CallRecord::callId)
                    .collect(Collectors.toUnmodifiableSet());
            orphaned = freeCallsOfGoneOwners(listed, judgement);
            int[] counts = sweepDeadlines(listed);
            requeued = counts[0];
            ended = counts[1];
        } catch (RuntimeException e) {
            LOG.warn("live call sweep failed", Map.of("error", JsonLog.describe(e)));
        }
        try {
            deleted = sweepQueues(judgement, live);
        } catch (RuntimeException e) {
            LOG.warn("control queue sweep failed", Map.of("error", JsonLog.describe(e)));
        }
        Report report = new Report(deleted, orphaned, requeued, ended);
        if (deleted + orphaned + requeued + ended > 0) {
            LOG.info("sweep done", Map.of("queues_deleted", deleted, "calls_orphaned", orphaned,
                    "calls_requeued", requeued, "calls_ended", ended));
        }
        return report;
    }

    /**
     * @param judgement who is gone (null: the heartbeats could not be read, so nobody is); nudge queues of workers
     *                  gone are deleted only while this worker may judge
     * @param live      calls the live listing showed not ended: their queues are kept without a read
     */
    private int sweepQueues(Takeover.Judgement judgement, Set<String> live) {
        int deleted = 0;
        Map<String, WorkerHeartbeats.Heartbeat> workersByQueue = null;
        Set<String> hosted = null;
        for (String url : queues.listAll()) {
            if (stopped) {
                break;
            }
            if (queues.isNudgeQueue(url)) {
                if (judgement == null || judgement.abstention().isPresent()) {
                    continue;
                }
                if (workersByQueue == null) {
                    workersByQueue = new HashMap<>();
                    for (WorkerHeartbeats.Heartbeat beat : judgement.read()) {
                        workersByQueue.put(queues.nudgeQueueName(beat.workerId()), beat);
                    }
                }
                if (nudgeQueueAbandoned(url, workersByQueue)) {
                    queues.deleteQueue(url);
                    deleted++;
                    LOG.info("stale nudge queue deleted", Map.of("queue", ControlQueues.nameOf(url)));
                }
                continue;
            }
            Optional<String> callId = queues.callIdOf(url);
            if (callId.isEmpty()) {
                continue; // a shortened name: its call cannot be told; the call's own end deletes it
            }
            if (hosted == null) {
                hosted = Set.copyOf(hostedCalls.get());
            }
            if (hosted.contains(callId.get()) || live.contains(callId.get())) {
                // live here or elsewhere: no read (one per live call per sweep was most of an idle worker's requests)
                continue;
            }
            Optional<CallRecord> call = calls.get(callId.get());
            if (call.isEmpty() || endedLongAgo(call.get())) {
                queues.deleteQueue(url);
                deleted++;
                LOG.info("stale control queue deleted", Map.of("call_id", callId.get(),
                        "call_status", call.map(c -> c.status().name()).orElse("unknown")));
            }
        }
        return deleted;
    }

    /**
     * A nudge queue whose worker is gone for long: retired, taken over or silent for longer than
     * {@code staleAfter + orphanGrace + resendAfter}, or with no heartbeat record at all (expired, or a worker id
     * never registered). A worker whose queue is deleted while it lives creates it again at its next receive.
     */
    private boolean nudgeQueueAbandoned(String url, Map<String, WorkerHeartbeats.Heartbeat> workersByQueue) {
        String name = ControlQueues.nameOf(url);
        if (name.equals(queues.nudgeQueueName(self))) {
            return false;
        }
        WorkerHeartbeats.Heartbeat owner = workersByQueue.get(name);
        if (owner == null) {
            return true;
        }
        Instant longAgo = clock.instant().minus(staleAfter.plus(orphanGrace).plus(resendAfter));
        if (owner.takenOverBy() != null) {
            return owner.takenOverAt() == null || owner.takenOverAt().isBefore(longAgo);
        }
        return owner.beatAt() == null || owner.beatAt().isBefore(longAgo);
    }

    /**
     * Over for longer than {@code resendAfter}: a call that just ended is left to its owner, which deletes the queue
     * once its poller has stopped (deleting a queue under a long poll can hold that poll until it times out).
     */
    private boolean endedLongAgo(CallRecord call) {
        return call.status().isTerminal()
                && (call.endedAt() == null || call.endedAt().isBefore(clock.instant().minus(resendAfter)));
    }

    /**
     * Frees the listed calls attached to a worker that is gone (silent past the stale limit and the grace, taken over,
     * unknown) as {@code judgement} has it, and those attached to this worker without being hosted here (a restart
     * under the same id, a hand-off whose write failed: no other worker is judged for those).
     */
    private int freeCallsOfGoneOwners(List<CallRecord> listed, Takeover.Judgement judgement) {
        Set<String> hosted = Set.copyOf(hostedCalls.get());
        return takeover.freeCalls(listed, call -> {
            if (call.owner().equals(self)) {
                return !hosted.contains(call.callId());
            }
            if (judgement == null || !judgement.gone(call.owner())) {
                return false;
            }
            boolean read = judgement.read().stream().anyMatch(b -> b.workerId().equals(call.owner()));
            return read || beats.get(call.owner()).isEmpty(); // unknown to the read: unless it registered since
        }, "sweep");
    }

    /** The deadlines of the waiting statuses; {requeued, ended}. */
    private int[] sweepDeadlines(List<CallRecord> listed) {
        int requeued = 0;
        int ended = 0;
        for (CallRecord call : listed) {
            if (stopped || requeued >= MAX_REQUEUES) {
                break;
            }
            try {
                Instant at = clock.instant();
                if (call.status() == CallStatus.ORPHANED
                        && calls.claimOrphanEnd(call.callId(), self, at, orphanDeadline, ORPHAN_END_HOLD)) {
                    // nobody could take it for the whole deadline: the caller sits in silence; end it for good
                    if (endOrphanForGood(call, at)) {
                        ended++;
                    }
                } else if (call.status() == CallStatus.ORPHANED && calls.sweepOrphaned(call.callId(), at, resendAfter)) {
                    requeued++;
                    LOG.warn("call still orphaned; re-enqueued", Map.of("call_id", call.callId()));
                    requeue(call, CallMessage.Reason.ORPHANED);
                } else if ((call.status() == CallStatus.QUEUED || call.status() == CallStatus.ACCEPTED)
                        && waitedSince(call).isBefore(at.minus(QUEUED_DEADLINE))
                        && calls.sweepWaiting(call.callId(), call.status(), at, resendAfter)) {
                    // its queue message is in the dead-letter queue or lost; the call is still live at OpenAI
                    requeued++;
                    LOG.warn("accepted call never claimed; re-enqueued", Map.of("call_id", call.callId(),
                            "status", call.status().name()));
                    requeue(call, CallMessage.Reason.INCOMING);
                } else if (call.status() == CallStatus.RECEIVED && call.createdAt() != null
                        && call.createdAt().isBefore(at.minus(receivedDeadline))) {
                    if (endNeverAccepted(call, at)) {
                        ended++;
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("call not swept", Map.of("call_id", call.callId(), "error", JsonLog.describe(e)));
            }
        }
        return new int[] {requeued, ended};
    }

    /** Puts the call back on the calls queue; if this fails the call stays waiting and a later sweep sends it. */
    private void requeue(CallRecord call, CallMessage.Reason reason) {
        callsQueue.send(new CallMessage(call.callId(), call.webhookId(),
                call.acceptedAt() == null ? 0 : call.acceptedAt().toEpochMilli(), reason));
    }

    private static Instant waitedSince(CallRecord call) {
        return call.acceptedAt() != null ? call.acceptedAt() : call.createdAt() != null ? call.createdAt() : Instant.EPOCH;
    }

    /**
     * A call whose accept never succeeded (every webhook delivery failed, OpenAI gave up): hung up at OpenAI first
     * (404 means it is already gone), then ended {@code accept_failed}. A hang-up OpenAI refuses leaves the call for
     * the next sweep.
     */
    private boolean endNeverAccepted(CallRecord call, Instant now) {
        return hangUpThenEnd(call, ACCEPT_FAILED, "accept_deadline",
                () -> calls.markEnded(call.callId(), ACCEPT_FAILED, now), () -> { });
    }

    /**
     * A call {@code ORPHANED} past its deadline, whose end this sweep has claimed (no worker can take it meanwhile):
     * hung up at OpenAI first, then ended {@value #LOST}. A hang-up OpenAI refuses gives the claim back: the call stays
     * orphaned, any worker may still take it, and the next sweep tries again.
     */
    private boolean endOrphanForGood(CallRecord call, Instant now) {
        return hangUpThenEnd(call, LOST, "orphan_deadline", () -> calls.endOrphan(call.callId(), self, LOST, now),
                () -> calls.releaseOrphanEnd(call.callId(), self));
    }

    /**
     * The system ends a stuck call: OpenAI's hang-up first, its outcome recorded as a {@code hangup} event, and only
     * when OpenAI agreed (or the call was already gone) the {@code end} write; otherwise {@code refused} runs.
     */
    private boolean hangUpThenEnd(CallRecord call, String reason, String why, BooleanSupplier end, Runnable refused) {
        CallsOutcome outcome = openAi.hangup(call.callId());
        boolean over = outcome instanceof CallsOutcome.Done || outcome instanceof CallsOutcome.Gone;
        try {
            calls.appendEvent(call.callId(), "hangup", Json.object().put("reason", reason).put("why", why)
                    .put("outcome", outcome.getClass().getSimpleName().toLowerCase(Locale.ROOT))
                    .put("executedBy", self), clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("hangup event not recorded", Map.of("call_id", call.callId(), "error", JsonLog.describe(e)));
        }
        if (!over) {
            refused.run();
            LOG.warn("stuck call not hung up; trying again next sweep", Map.of("call_id", call.callId(), "why", why,
                    "hangup", outcome.getClass().getSimpleName()));
            return false;
        }
        boolean ended = end.getAsBoolean();
        if (ended) {
            LOG.warn("stuck call hung up and ended", Map.of("call_id", call.callId(), "why", why, "reason", reason,
                    "hangup", outcome.getClass().getSimpleName()));
        }
        return ended;
    }

    @Override
    public void close() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
