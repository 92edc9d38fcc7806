package ai.phoneagent.worker.ownership;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.WorkerHeartbeats.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one rule by which a worker judges another worker gone, case by case, on heartbeat reads as the store would
 * answer them (the integration tests run it against DynamoDB Local: WorkerFaultsTest, WorkerTakeoverTest).
 */
class LivenessRuleTest {
    static final Duration STALE = Duration.ofSeconds(8);
    static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    final LivenessRule rule = new LivenessRule("self", STALE);

    private static Heartbeat beat(String worker, Instant at) {
        return new Heartbeat(worker, at, null, null);
    }

    /** This worker has been beating every 2 s for a stale limit up to {@code now} (its last beat landed then). */
    private void beatingSteadilyUntil(Instant now) {
        rule.registered(now.minus(STALE));
        for (Instant at = now.minus(STALE); !at.isAfter(now); at = at.plusSeconds(2)) {
            rule.beatLanded(at);
        }
    }

    @Test
    void aWorkerSilentPastTheStaleLimitIsGoneForAWorkerThatHasBeenBeatingSteadily() {
        Instant now = T0.plusSeconds(60);
        beatingSteadilyUntil(now);

        Takeover.Judgement judgement = rule.judge(List.of(beat("self", now), beat("dead", now.minusSeconds(9))), now, STALE);

        assertThat(judgement.abstention()).isEmpty();
        assertThat(judgement.gone()).extracting(Heartbeat::workerId).containsExactly("dead");
        assertThat(judgement.gone("dead")).isTrue();
        assertThat(judgement.gone("never-registered")).as("unknown to the read").isTrue();
    }

    @Test
    void theOtherWorkerMerelySlowIsNotGoneWhileItsLastBeatIsWithinTheLimit() {
        Instant now = T0.plusSeconds(60);
        beatingSteadilyUntil(now);
        Instant late = now.minus(STALE); // its timer ran late: no beat for exactly the stale limit

        Takeover.Judgement judgement = rule.judge(List.of(beat("self", now), beat("slow", late)), now, STALE);

        assertThat(judgement.abstention()).isEmpty();
        assertThat(judgement.gone()).isEmpty();
        assertThat(judgement.gone("slow")).isFalse();
        assertThat(judgement.nextLook()).as("the next look is when it could first be stale").isEqualTo(now);
    }

    @Test
    void aWorkerThatWasStalledOrCutOffAndWhoseOwnBeatIsStaleJudgesNobody() {
        Instant now = T0.plusSeconds(60);
        beatingSteadilyUntil(now.minusSeconds(5)); // its last beat landed 5 s ago: more than half the limit

        Takeover.Judgement judgement = rule.judge(List.of(beat("self", now.minusSeconds(5)),
                beat("other", now.minusSeconds(30))), now, STALE);

        assertThat(judgement.abstention()).contains(Takeover.Abstention.OWN_BEAT_STALE);
        assertThat(judgement.gone()).isEmpty();
        assertThat(judgement.gone("other")).isFalse();
    }

    @Test
    void aWorkerBackFromSilenceJudgesNobodyUntilEveryLiveWorkerCouldHaveBeatenAgain() {
        Instant back = T0.plusSeconds(60);
        beatingSteadilyUntil(T0.plusSeconds(40)); // then 20 s without a beat landing (a pause, a store outage)
        rule.beatLanded(back);
        List<Heartbeat> read = List.of(beat("self", back), beat("other", T0.plusSeconds(40)));

        assertThat(rule.judge(read, back, STALE).abstention()).contains(Takeover.Abstention.SETTLING);
        assertThat(rule.judge(read, back, STALE).nextLook()).isEqualTo(back.plus(STALE));
        Instant later = back.plus(STALE);
        rule.beatLanded(later.minusSeconds(2));
        rule.beatLanded(later);
        assertThat(rule.judge(List.of(beat("self", later), beat("other", T0.plusSeconds(40))), later, STALE).gone())
                .as("still silent a stale limit after this worker's return: really gone")
                .extracting(Heartbeat::workerId).containsExactly("other");
    }

    @Test
    void aWorkerThatJustStartedJudgesNobodyUntilItHasBeatenForAStaleLimit() {
        rule.registered(T0);
        rule.beatLanded(T0.plusSeconds(2));
        Instant now = T0.plusSeconds(2);
        List<Heartbeat> read = List.of(beat("self", now), beat("other", T0.minusSeconds(30)));

        Takeover.Judgement judgement = rule.judge(read, now, STALE);

        assertThat(judgement.abstention()).contains(Takeover.Abstention.SETTLING);
        assertThat(judgement.gone()).isEmpty();
        assertThat(judgement.nextLook()).isEqualTo(T0.plus(STALE));
        assertThat(rule.judge(List.of(beat("self", T0.plus(STALE)), beat("other", T0.minusSeconds(30))),
                T0.plus(STALE), STALE).gone()).extracting(Heartbeat::workerId).containsExactly("other");
    }

    @Test
    void aWorkerTakenOverItselfOrMissingFromTheReadJudgesNobody() {
        Instant now = T0.plusSeconds(60);
        beatingSteadilyUntil(now);
        Heartbeat dead = beat("dead", now.minusSeconds(30));

        assertThat(rule.judge(List.of(new Heartbeat("self", now, "another", now), dead), now, STALE).abstention())
                .contains(Takeover.Abstention.TAKEN_OVER);
        assertThat(rule.judge(List.of(dead), now, STALE).abstention()).contains(Takeover.Abstention.NOT_REGISTERED);
    }

    @Test
    void twoWorkersBackFromTheSameOutageNeverJudgeEachOther() {
        LivenessRule other = new LivenessRule("other", STALE);
        other.registered(T0.minus(STALE));
        rule.registered(T0.minus(STALE));
        for (Instant at = T0.minus(STALE); !at.isAfter(T0); at = at.plusSeconds(2)) {
            rule.beatLanded(at);
            other.beatLanded(at);
        }
        // 30 s outage; each one's beat lands again, and each reads before the other's has landed
        Instant back = T0.plusSeconds(30);
        rule.beatLanded(back);
        other.beatLanded(back.plusMillis(10));

        assertThat(rule.judge(List.of(beat("self", back), beat("other", T0)), back, STALE).gone()).isEmpty();
        assertThat(other.judge(List.of(beat("other", back), beat("self", T0)), back.plusMillis(10), STALE).gone())
                .isEmpty();
    }

    @Test
    void theNextLookIsWhenTheFirstWorkerSeenAliveCouldGoStale() {
        Instant now = T0.plusSeconds(60);
        beatingSteadilyUntil(now);

        Takeover.Judgement judgement = rule.judge(List.of(beat("self", now), beat("a", now.minusSeconds(1)),
                beat("b", now.minusSeconds(3)), new Heartbeat("retired", now.minusSeconds(60), "retired", now)), now,
                STALE);

        assertThat(judgement.gone()).isEmpty();
        assertThat(judgement.nextLook()).isEqualTo(now.minusSeconds(3).plus(STALE));
        assertThat(rule.judge(List.of(beat("self", now)), now, STALE).nextLook())
                .as("alone: a worker registering after this read goes stale a limit from now at the earliest")
                .isEqualTo(now.plus(STALE));
    }
}
