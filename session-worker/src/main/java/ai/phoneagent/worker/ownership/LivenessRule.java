package ai.phoneagent.worker.ownership;

import ai.phoneagent.call.WorkerHeartbeats.Heartbeat;
import ai.phoneagent.logging.JsonLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one rule by which a worker judges other workers gone ({@link Takeover} owns it; the heartbeat scan and the sweep
 * both ask it). From one consistent read of every heartbeat, this worker judges another gone (silent past the limit,
 * not taken over yet) only when
 * <ol>
 *   <li>its own record is in that read, not taken over, with a beat within half the stale limit: a worker stalled or
 *       cut off from the store (its own beat stale) judges nobody. Two workers can then never take each other over:
 *       each would have to read before the other's fresh beat landed and after its own, and the first claim's
 *       condition (the beat it saw) fails on the other's fresh beat;</li>
 *   <li>its own beats have kept landing, never further apart than the stale limit, for at least the stale limit: a
 *       worker that just started, or whose own beats were out (a pause, a store outage), has no proof that the store
 *       let everybody beat during the last stale limit. After an outage every beat is old for the same reason, so
 *       nobody is judged gone until every live worker could beat again: an outage moves no call.</li>
 * </ol>
 * A worker merely slow (beating late, but within the limit) is never gone.
 */
final class LivenessRule {
    private static final JsonLog LOG = JsonLog.forComponent("takeover");

    private final String self;
    private final Duration staleAfter;
    /** When the current unbroken run of this worker's own beats began (null before the first). */
    private Instant runSince;
    /** When this worker's own last beat landed (null before the first). */
    private Instant lastLanded;

    LivenessRule(String self, Duration staleAfter) {
        this.self = self;
        this.staleAfter = staleAfter;
    }

    /** This worker (re)registered its record at {@code at}: a new run of beats begins. */
    synchronized void registered(Instant at) {
        runSince = at;
        lastLanded = at;
    }

    /** This worker's own beat landed at {@code at}; a gap longer than the stale limit begins a new run. */
    synchronized void beatLanded(Instant at) {
        if (lastLanded == null || Duration.between(lastLanded, at).compareTo(staleAfter) > 0) {
            if (lastLanded != null) {
                LOG.warn("own heartbeat was out longer than the stale limit; judging no owner gone for a while",
                        Map.of("silent_ms", Duration.between(lastLanded, at).toMillis(),
                                "quiet_ms", staleAfter.toMillis()));
            }
            runSince = at;
        }
        lastLanded = at;
    }

    /** What this worker may conclude at {@code now} from {@code read}; a worker is gone after {@code silence}. */
    Takeover.Judgement judge(List<Heartbeat> read, Instant now, Duration silence) {
        Instant since;
        synchronized (this) {
            since = runSince;
        }
        Heartbeat own = read.stream().filter(b -> b.workerId().equals(self)).findFirst().orElse(null);
        Optional<Takeover.Abstention> abstention = Optional.empty();
        Instant nextLook = now;
        if (own == null) {
            abstention = Optional.of(Takeover.Abstention.NOT_REGISTERED);
        } else if (own.takenOverBy() != null) {
            abstention = Optional.of(Takeover.Abstention.TAKEN_OVER);
        } else if (!own.alive(now, staleAfter.dividedBy(2))) {
            abstention = Optional.of(Takeover.Abstention.OWN_BEAT_STALE);
        } else if (since == null || now.isBefore(since.plus(staleAfter))) {
            abstention = Optional.of(Takeover.Abstention.SETTLING);
            nextLook = since == null ? now : since.plus(staleAfter);
        }
        List<Heartbeat> gone = new ArrayList<>();
        if (abstention.isEmpty()) {
            nextLook = now.plus(silence); // a worker registering after this read goes stale no sooner
            for (Heartbeat other : read) {
                if (other.workerId().equals(self) || other.takenOverBy() != null || other.beatAt() == null) {
                    continue;
                }
                if (other.alive(now, silence)) {
                    Instant staleAt = other.beatAt().plus(silence);
                    nextLook = staleAt.isBefore(nextLook) ? staleAt : nextLook;
                } else {
                    gone.add(other);
                }
            }
        }
        return new Takeover.Judgement(abstention, read, List.copyOf(gone), nextLook);
    }
}
