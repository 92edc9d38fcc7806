package ai.phoneagent.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ai.phoneagent.json.Json;
import ai.phoneagent.testing.AwsFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The call store against DynamoDB Local over HTTP: conditional writes hold under concurrency. */
class CallStoreIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static AwsFixture aws;
    private static CallStore store;

    @BeforeAll
    static void setUp() {
        aws = AwsFixture.embedded();
        store = aws.callStore();
    }

    private static IncomingCall incoming(String callId) {
        return new IncomingCall(callId, "msg_" + callId, List.of(
                new SipHeader("From", "sip:+14255551212@sip.example.com"),
                new SipHeader("to", "sip:+18005551212@sip.example.com"),
                new SipHeader("x-conferencename", "CF123"),
                new SipHeader("X-callToken", "tok-1")));
    }

    private static String newCallId() {
        return "rtc_" + UUID.randomUUID().toString().replace("-", "");
    }

    private static CallRecord queuedCall() {
        String id = newCallId();
        store.recordIncoming(incoming(id), T0);
        assertThat(store.claimStep(id, CallStore.Step.ACCEPT, "a", T0, Duration.ofSeconds(10))).isTrue();
        assertThat(store.completeStep(id, CallStore.Step.ACCEPT, "a", T0)).isTrue();
        assertThat(store.claimStep(id, CallStore.Step.ENQUEUE, "e", T0, Duration.ofSeconds(10))).isTrue();
        assertThat(store.completeStep(id, CallStore.Step.ENQUEUE, "e", T0)).isTrue();
        return store.get(id).orElseThrow();
    }

    @Test
    void recordsAnIncomingCallOnceWithItsSipDetails() {
        String id = newCallId();
        var first = store.recordIncoming(incoming(id), T0);
        var second = store.recordIncoming(new IncomingCall(id, "msg_other", List.of()), T0.plusSeconds(5));
        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        CallRecord call = store.get(id).orElseThrow();
        assertThat(call.status()).isEqualTo(CallStatus.RECEIVED);
        assertThat(call.webhookId()).isEqualTo("msg_" + id);
        assertThat(call.from()).isEqualTo("sip:+14255551212@sip.example.com");
        assertThat(call.to()).isEqualTo("sip:+18005551212@sip.example.com");
        assertThat(call.conferenceName()).isEqualTo("CF123");
        assertThat(call.callToken()).isEqualTo("tok-1");
        assertThat(call.sipHeaders()).hasSize(4);
        assertThat(second.call().createdAt()).isEqualTo(T0);
    }

    @Test
    void onlyOneOfManyConcurrentClaimsWinsAStep() throws Exception {
        String id = newCallId();
        store.recordIncoming(incoming(id), T0);
        List<Callable<Boolean>> claims = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String token = "t" + i;
            claims.add(() -> store.claimStep(id, CallStore.Step.ACCEPT, token, T0, Duration.ofSeconds(10)));
        }
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long winners = pool.invokeAll(claims).stream().filter(f -> {
                try {
                    return f.get();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).count();
            assertThat(winners).isEqualTo(1);
        }
    }

    @Test
    void aLapsedClaimCanBeTakenOverButALiveOneCannot() {
        String id = newCallId();
        store.recordIncoming(incoming(id), T0);
        assertThat(store.claimStep(id, CallStore.Step.ACCEPT, "crashed", T0, Duration.ofSeconds(10))).isTrue();
        assertThat(store.claimStep(id, CallStore.Step.ACCEPT, "next", T0.plusSeconds(5), Duration.ofSeconds(10))).isFalse();
        assertThat(store.claimStep(id, CallStore.Step.ACCEPT, "next", T0.plusSeconds(11), Duration.ofSeconds(10))).isTrue();
        assertThat(store.completeStep(id, CallStore.Step.ACCEPT, "crashed", T0.plusSeconds(12))).isFalse();
        assertThat(store.completeStep(id, CallStore.Step.ACCEPT, "next", T0.plusSeconds(12))).isTrue();
        assertThat(store.get(id).orElseThrow().acceptedAt()).isEqualTo(T0.plusSeconds(12));
    }

    @Test
    void statusNeverMovesBackwards() {
        CallRecord call = queuedCall();
        assertThat(store.claimStep(call.callId(), CallStore.Step.ACCEPT, "late", T0, Duration.ofSeconds(1))).isFalse();
        assertThat(store.markEnded(call.callId(), "caller_hangup", T0.plusSeconds(60))).isTrue();
        assertThat(store.markEnded(call.callId(), "again", T0.plusSeconds(61))).isFalse();
        assertThat(store.claimOwnership(call.callId(), "w1", T0.plusSeconds(62))).isEmpty();
        CallRecord ended = store.get(call.callId()).orElseThrow();
        assertThat(ended.status()).isEqualTo(CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("caller_hangup");
    }

    @Test
    void gonePathRequiresTheAcceptClaim() {
        String id = newCallId();
        store.recordIncoming(incoming(id), T0);
        assertThat(store.markIntakeFailed(id, CallStatus.GONE, "hung up", "nobody", T0)).isFalse();
        store.claimStep(id, CallStore.Step.ACCEPT, "a", T0, Duration.ofSeconds(5));
        assertThat(store.markIntakeFailed(id, CallStatus.GONE, "hung up", "a", T0)).isTrue();
        assertThat(store.get(id).orElseThrow().status()).isEqualTo(CallStatus.GONE);
    }

    @Test
    void aRetriedFirstPutThatLandedAlreadyIsStillOursAndAnotherDeliverysIsNot() {
        String id = newCallId();
        assertThat(store.recordIncoming(incoming(id), T0, "mine", Duration.ofSeconds(10)).created()).isTrue();
        CallStore.Recorded again = store.recordIncoming(incoming(id), T0, "mine", Duration.ofSeconds(10));
        assertThat(again.created()).as("the same put again, its first answer lost").isTrue();
        assertThat(again.call().status()).isEqualTo(CallStatus.RECEIVED);
        assertThat(store.recordIncoming(incoming(id), T0, "other", Duration.ofSeconds(10)).created()).isFalse();
    }

    @Test
    void aReceivedCallIsClaimedFromItsMessageAndTheWebhooksLateMarkThenWritesNothing() {
        String id = newCallId();
        store.recordIncoming(incoming(id), T0, "accepting", Duration.ofSeconds(10), "tools-1");
        // the webhook sent the message beside its mark; the worker's claim landed first
        CallRecord claimed = store.claimOwnership(id, "w1", T0.plusMillis(20)).orElseThrow();
        assertThat(claimed.status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(claimed.acceptedAt()).isEqualTo(T0.plusMillis(20));
        assertThat(claimed.toolCatalog()).as("stored by the first write").isEqualTo("tools-1");
        assertThat(store.startEnqueue(id, "accepting", "sending", T0.plusMillis(21), Duration.ofSeconds(5), "tools-1"))
                .as("the mark's condition fails").isFalse();
        assertThat(store.claimStep(id, CallStore.Step.ACCEPT, "redelivery", T0.plusSeconds(60), Duration.ofSeconds(10)))
                .as("no later delivery can accept it again").isFalse();
        CallRecord stored = store.get(id).orElseThrow();
        assertThat(stored.status()).isEqualTo(CallStatus.ATTACHED);
        assertThat(stored.owner()).isEqualTo("w1");
    }

    @Test
    void oneOwnerAtATimeUntilTheOwnerIsDeclaredGone() {
        CallRecord call = queuedCall();
        Instant now = T0.plusSeconds(1);
        assertThat(store.claimOwnership(call.callId(), "w1", now)).isPresent();
        assertThat(store.claimOwnership(call.callId(), "w2", now.plusSeconds(600))).isEmpty();
        assertThat(store.claimOwnership(call.callId(), "w1", now.plusSeconds(2)))
                .as("its owner again: a duplicate queue message never re-attaches a call already held").isEmpty();
        assertThat(store.orphanOwnedBy(call.callId(), "w2", now)).as("not w2's call").isFalse();
        assertThat(store.orphanOwnedBy(call.callId(), "w1", now)).isTrue();
        assertThat(store.orphanOwnedBy(call.callId(), "w1", now)).as("exactly once").isFalse();
        Optional<CallRecord> takeover = store.claimOwnership(call.callId(), "w2", now.plusSeconds(3));
        assertThat(takeover).isPresent();
        assertThat(takeover.get().owner()).isEqualTo("w2");
        assertThat(takeover.get().leaseUntil()).isNull();
        assertThat(store.releaseOwnership(call.callId(), "w1")).as("a write of the old owner never lands").isFalse();
    }

    @Test
    void aCallOfADeadOwnerIsTakenOverDirectlyByExactlyOneWorker() {
        CallRecord call = queuedCall();
        store.claimOwnership(call.callId(), "dead", T0).orElseThrow();
        assertThat(store.takeOver(call.callId(), "someone-else", "w2", T0.plusSeconds(9))).as("not that owner's").isEmpty();

        Optional<CallRecord> taken = store.takeOver(call.callId(), "dead", "w2", T0.plusSeconds(9));

        assertThat(taken).hasValueSatisfying(c -> {
            assertThat(c.status()).isEqualTo(CallStatus.ATTACHED);
            assertThat(c.owner()).isEqualTo("w2");
            assertThat(c.attachedAt()).as("first attach kept: no second greeting").isEqualTo(T0);
        });
        assertThat(store.takeOver(call.callId(), "dead", "w3", T0.plusSeconds(9))).as("exactly once").isEmpty();
        assertThat(store.orphanOwnedBy(call.callId(), "dead", T0.plusSeconds(9))).isFalse();
        assertThat(store.releaseOwnership(call.callId(), "dead")).as("a write of the dead owner never lands").isFalse();
        assertThat(store.get(call.callId()).orElseThrow().owner()).isEqualTo("w2");
    }

    @Test
    void anOrphanPastItsDeadlineIsClaimedForItsEndOnceAndNoWorkerTakesItMeanwhile() {
        CallRecord call = queuedCall();
        Duration deadline = Duration.ofMinutes(5);
        Duration hold = Duration.ofSeconds(30);
        store.claimOwnership(call.callId(), "w1", T0).orElseThrow();
        assertThat(store.releaseOwnership(call.callId(), "w1", false, T0)).isTrue();

        assertThat(store.claimOrphanEnd(call.callId(), "s1", T0.plus(deadline).minusSeconds(1), deadline, hold))
                .as("within its deadline").isFalse();
        Instant late = T0.plus(deadline).plusSeconds(1);
        assertThat(store.claimOrphanEnd(call.callId(), "s1", late, deadline, hold)).isTrue();
        assertThat(store.claimOrphanEnd(call.callId(), "s2", late, deadline, hold)).as("one sweep at a time").isFalse();
        assertThat(store.claimOwnership(call.callId(), "w2", late.plusSeconds(1))).as("no worker while it ends").isEmpty();
        assertThat(store.endOrphan(call.callId(), "s2", "lost", late)).as("not s2's claim").isFalse();

        assertThat(store.endOrphan(call.callId(), "s1", "lost", late.plusSeconds(2))).isTrue();
        CallRecord ended = store.get(call.callId()).orElseThrow();
        assertThat(ended.status()).isEqualTo(CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("lost");
    }

    @Test
    void anOrphanWhoseHangupFailedCanBeTakenAgainAndAnExpiredEndClaimLapses() {
        CallRecord call = queuedCall();
        Duration deadline = Duration.ofMinutes(5);
        Duration hold = Duration.ofSeconds(30);
        store.claimOwnership(call.callId(), "w1", T0).orElseThrow();
        store.orphanOwnedBy(call.callId(), "w1", T0);
        Instant late = T0.plus(deadline).plusSeconds(1);
        assertThat(store.claimOrphanEnd(call.callId(), "s1", late, deadline, hold)).isTrue();
        assertThat(store.claimOrphanEnd(call.callId(), "s2", late.plus(hold).plusSeconds(1), deadline, hold))
                .as("the first sweep died: its claim lapsed").isTrue();
        assertThat(store.endOrphan(call.callId(), "s1", "lost", late)).as("a lapsed claim never ends it").isFalse();

        assertThat(store.releaseOrphanEnd(call.callId(), "s2")).isTrue();

        assertThat(store.claimOwnership(call.callId(), "w2", late.plusSeconds(40))).isPresent();
        assertThat(store.endOrphan(call.callId(), "s2", "lost", late)).isFalse();
    }

    @Test
    void aWorkerHeartbeatIsRefusedOnceAnotherWorkerTookItOver() {
        WorkerHeartbeats beats = new WorkerHeartbeats(store.client(), store.tableName());
        String worker = "hb-" + newCallId();
        beats.register(worker, T0);
        assertThat(beats.beat(worker, T0.plusSeconds(2))).isTrue();
        WorkerHeartbeats.Heartbeat seen = beats.get(worker).orElseThrow();
        assertThat(seen.alive(T0.plusSeconds(5), Duration.ofSeconds(8))).isTrue();
        assertThat(seen.alive(T0.plusSeconds(11), Duration.ofSeconds(8))).isFalse();
        assertThat(beats.beat(worker, T0.plusSeconds(3))).isTrue();
        assertThat(beats.claimTakeover(seen, "w2", T0.plusSeconds(20))).as("it beat again since").isFalse();
        WorkerHeartbeats.Heartbeat latest = beats.get(worker).orElseThrow();
        assertThat(beats.claimTakeover(latest, "w2", T0.plusSeconds(20))).isTrue();
        assertThat(beats.claimTakeover(latest, "w3", T0.plusSeconds(20))).as("exactly once").isFalse();
        assertThat(beats.beat(worker, T0.plusSeconds(21))).isFalse();
        assertThat(beats.all()).anySatisfy(b -> assertThat(b.takenOverBy()).isEqualTo("w2"));
        beats.register(worker, T0.plusSeconds(22));
        assertThat(beats.beat(worker, T0.plusSeconds(23))).as("a restart beats again").isTrue();
    }

    @Test
    void aWorkerThatMissedTwoOfItsDeclaredBeatsIsNotBeatingOnTime() {
        WorkerHeartbeats beats = new WorkerHeartbeats(store.client(), store.tableName());
        String worker = "hb-" + newCallId();
        beats.register(worker, T0, Duration.ofMillis(1500));
        String quick = "hb-quick-" + newCallId();
        beats.register(quick, T0, Duration.ofMillis(300));

        WorkerHeartbeats.Heartbeat seen = beats.get(worker).orElseThrow();

        assertThat(seen.beatEvery()).isEqualTo(Duration.ofMillis(1500));
        assertThat(seen.beatingOnTime(T0.plusMillis(3000))).isTrue();
        assertThat(seen.beatingOnTime(T0.plusMillis(3001))).isFalse();
        assertThat(seen.alive(T0.plusMillis(3001), Duration.ofSeconds(8))).as("not yet stale for a take-over").isTrue();
        WorkerHeartbeats.Heartbeat fast = beats.get(quick).orElseThrow();
        assertThat(fast.beatingOnTime(T0.plusMillis(2000))).as("never judged late within two seconds").isTrue();
        assertThat(fast.beatingOnTime(T0.plusMillis(2001))).isFalse();
    }

    @Test
    void releasedCallsAreOrphanedForTheNextWorker() {
        CallRecord call = queuedCall();
        store.claimOwnership(call.callId(), "w1", T0);
        assertThat(store.releaseOwnership(call.callId(), "w2")).isFalse();
        assertThat(store.releaseOwnership(call.callId(), "w1")).isTrue();
        assertThat(store.get(call.callId()).orElseThrow().status()).isEqualTo(CallStatus.ORPHANED);
        assertThat(store.claimOwnership(call.callId(), "w2", T0)).isPresent();
    }

    @Test
    void turnsGetConsecutiveSequenceNumbersAndRepeatsAreIgnored() {
        CallRecord call = queuedCall();
        assertThat(store.appendTurn(call.callId(), Turn.Speaker.AGENT, "Hello!", "item_a", T0)).contains(0L);
        assertThat(store.appendTurn(call.callId(), Turn.Speaker.CALLER, "Hi", "item_b", T0.plusSeconds(1))).contains(1L);
        assertThat(store.appendTurn(call.callId(), Turn.Speaker.CALLER, "Hi", "item_b", T0.plusSeconds(2))).isEmpty();
        assertThat(store.appendTurn(call.callId(), Turn.Speaker.AGENT, "Bye", "item_c", T0.plusSeconds(3))).contains(2L);
        var page = store.turns(call.callId(), -1, 10);
        assertThat(page.items()).extracting(Turn::text).containsExactly("Hello!", "Hi", "Bye");
        assertThat(page.items()).extracting(Turn::seq).containsExactly(0L, 1L, 2L);
    }

    @Test
    void concurrentTurnAppendsNeverShareASequenceNumber() throws Exception {
        CallRecord call = queuedCall();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Callable<Optional<Long>>> writes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int n = i;
                writes.add(() -> store.appendTurn(call.callId(), Turn.Speaker.CALLER, "t" + n, "item_" + n, T0));
            }
            pool.invokeAll(writes);
        }
        var turns = store.turns(call.callId(), -1, 100).items();
        assertThat(turns).extracting(Turn::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aBatchOfTurnsAndEventsIsStoredInOrderAndOnlyOnce() {
        CallRecord call = queuedCall();
        List<CallStore.Entry> batch = List.of(
                new CallStore.Entry.TurnEntry(Turn.Speaker.AGENT, "Hello!", "item_a", T0),
                new CallStore.Entry.EventEntry(CallStore.newEventId(T0), "dtmf", Json.object().put("digit", "1"), T0),
                new CallStore.Entry.TurnEntry(Turn.Speaker.CALLER, "Hi", "item_b", T0.plusSeconds(1)));
        assertThat(store.append(call.callId(), call.nextSeq(), batch)).isEqualTo(new CallStore.Appended(2, List.of()));
        // the same batch again (a retry whose answer was lost): every entry is found stored, nothing is written twice
        CallStore.Appended again = store.append(call.callId(), call.nextSeq(), batch);
        assertThat(again.alreadyStored()).containsExactlyInAnyOrder(0, 1, 2);
        // an utterance heard again after it was stored, behind the call's current end: found by its item id
        CallStore.Appended more = store.append(call.callId(), 2, List.of(
                new CallStore.Entry.TurnEntry(Turn.Speaker.AGENT, "Bye", "item_c", T0.plusSeconds(3)),
                new CallStore.Entry.TurnEntry(Turn.Speaker.CALLER, "Hi", "item_b", T0.plusSeconds(2))));
        assertThat(more).isEqualTo(new CallStore.Appended(3, List.of(1)));
        assertThat(store.turns(call.callId(), -1, 10).items()).extracting(Turn::seq, Turn::text)
                .containsExactly(tuple(0L, "Hello!"), tuple(1L, "Hi"), tuple(2L, "Bye"));
        assertThat(store.allEvents(call.callId())).extracting(CallEvent::kind).containsExactly("dtmf");
        assertThat(store.get(call.callId()).orElseThrow().nextSeq()).isEqualTo(3);

        // one utterance queued twice before the first write (a re-attached session hearing it again): stored once
        CallStore.Appended twice = store.append(call.callId(), 3, List.of(
                new CallStore.Entry.TurnEntry(Turn.Speaker.CALLER, "Still there?", "item_d", T0.plusSeconds(4)),
                new CallStore.Entry.TurnEntry(Turn.Speaker.CALLER, "Still there?", "item_d", T0.plusSeconds(4))));
        assertThat(twice).isEqualTo(new CallStore.Appended(4, List.of(1)));
        assertThat(store.turns(call.callId(), 2, 10).items()).extracting(Turn::text).containsExactly("Still there?");

        // heard again in the middle of a batch: stored once, its number in that batch left unused
        CallStore.Appended middle = store.append(call.callId(), 4, List.of(
                new CallStore.Entry.TurnEntry(Turn.Speaker.AGENT, "Hello!", "item_a", T0.plusSeconds(5)),
                new CallStore.Entry.TurnEntry(Turn.Speaker.AGENT, "Anything else?", "item_e", T0.plusSeconds(5))));
        assertThat(middle).isEqualTo(new CallStore.Appended(6, List.of(0)));
        assertThat(store.allTurns(call.callId())).extracting(Turn::seq, Turn::text).containsExactly(tuple(0L, "Hello!"),
                tuple(1L, "Hi"), tuple(2L, "Bye"), tuple(3L, "Still there?"), tuple(5L, "Anything else?"));
    }

    @Test
    void aStaleSequenceGuessIsReadAgainNeverWrittenUnderAWrongNumber() {
        CallRecord call = queuedCall();
        // another writer (a previous owner's last flush) numbered two turns since this worker's claim read nextSeq = 0
        store.appendTurn(call.callId(), Turn.Speaker.CALLER, "one", "item_1", T0);
        store.appendTurn(call.callId(), Turn.Speaker.AGENT, "two", "item_2", T0);
        CallStore.Appended appended = store.append(call.callId(), 0, List.of(
                new CallStore.Entry.TurnEntry(Turn.Speaker.CALLER, "three", "item_3", T0),
                new CallStore.Entry.TurnEntry(Turn.Speaker.CALLER, "three, again", null, T0)));
        assertThat(appended).isEqualTo(new CallStore.Appended(4, List.of()));
        assertThat(store.turns(call.callId(), -1, 10).items()).extracting(Turn::seq, Turn::text)
                .containsExactly(tuple(0L, "one"), tuple(1L, "two"), tuple(2L, "three"), tuple(3L, "three, again"));
        assertThat(store.get(call.callId()).orElseThrow().nextSeq()).isEqualTo(4);
    }

    @Test
    void aTurnIsOnePutAndTheTurnCountFollowsWithoutEverGoingBack() {
        CallRecord call = queuedCall();
        CallStore.Appended appended = store.store(call.callId(), 0, List.of(
                new CallStore.Entry.TurnEntry(Turn.Speaker.AGENT, "Hello!", "item_a", T0)));
        assertThat(appended).isEqualTo(new CallStore.Appended(1, List.of()));
        assertThat(store.turns(call.callId(), -1, 10).items()).extracting(Turn::text).containsExactly("Hello!");
        assertThat(store.get(call.callId()).orElseThrow().nextSeq()).as("the count is written apart").isZero();
        // the count may be raised out of order (its writes run off the journal's lane): it never goes back
        assertThat(store.recordTurnCount(call.callId(), 3)).isTrue();
        assertThat(store.recordTurnCount(call.callId(), 1)).isFalse();
        assertThat(store.get(call.callId()).orElseThrow().nextSeq()).isEqualTo(3);
        assertThat(store.recordTurnCount("rtc_unknown" + UUID.randomUUID().toString().replace("-", ""), 1)).isFalse();
    }

    @Test
    void aWarmUpRunsTheTranscriptPathsAndWritesNothing() {
        String probe = "worker-" + UUID.randomUUID();
        store.warmUp(probe);
        store.warmUp(probe); // a second worker start with the same id finds nothing either
        assertThat(store.get("warmup-" + probe)).isEmpty();
        assertThat(store.turns("warmup-" + probe, -1, 10).items()).isEmpty();
    }

    @Test
    void aTurnCountLeftBehindByACrashCostsAReReadNeverAWrongNumberOrARepeat() {
        CallRecord call = queuedCall();
        // the dead owner stored two turns but its count writes never landed: the next owner's claim reads 0
        store.store(call.callId(), 0, List.of(new CallStore.Entry.TurnEntry(Turn.Speaker.AGENT, "Hello!", "item_a", T0),
                new CallStore.Entry.TurnEntry(Turn.Speaker.CALLER, "Hi", "item_b", T0)));
        assertThat(store.get(call.callId()).orElseThrow().nextSeq()).isZero();
        // the new owner writes from its claimed guess: its own turn goes after them, and a line the old owner
        // had stored already (heard again) is found among the last turns, not written twice
        CallStore.Appended appended = store.store(call.callId(), 0, List.of(
                new CallStore.Entry.TurnEntry(Turn.Speaker.CALLER, "Hi", "item_b", T0),
                new CallStore.Entry.TurnEntry(Turn.Speaker.AGENT, "How can I help?", "item_c", T0)));
        assertThat(appended).isEqualTo(new CallStore.Appended(3, List.of(0)));
        assertThat(store.turns(call.callId(), -1, 10).items()).extracting(Turn::seq, Turn::text)
                .containsExactly(tuple(0L, "Hello!"), tuple(1L, "Hi"), tuple(2L, "How can I help?"));
    }

    @Test
    void turnsPaginateInOrder() {
        CallRecord call = queuedCall();
        for (int i = 0; i < 5; i++) {
            store.appendTurn(call.callId(), Turn.Speaker.CALLER, "t" + i, "i" + i, T0);
        }
        var first = store.turns(call.callId(), -1, 2);
        assertThat(first.items()).extracting(Turn::text).containsExactly("t0", "t1");
        long after = Long.parseLong(first.nextKey().orElseThrow().get("afterSeq"));
        assertThat(store.turns(call.callId(), after, 10).items()).extracting(Turn::text).containsExactly("t2", "t3", "t4");
    }

    @Test
    void eventsAreStoredInTimeOrder() {
        CallRecord call = queuedCall();
        store.appendEvent(call.callId(), "dtmf", Json.object().put("digit", "5"), T0.plusSeconds(2));
        store.appendEvent(call.callId(), "tool_call", Json.object().put("name", "end_call"), T0.plusSeconds(1));
        assertThat(store.events(call.callId(), null, 10).items()).extracting(CallEvent::kind).containsExactly("tool_call", "dtmf");
    }

    @Test
    void liveIndexListsLiveCallsNewestFirstAndDropsEndedOnes() {
        String prefix = "rtc_live" + UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < 3; i++) {
            store.recordIncoming(incoming(prefix + i), T0.plusSeconds(1000 + i));
        }
        store.claimStep(prefix + "1", CallStore.Step.ACCEPT, "a", T0, Duration.ofSeconds(5));
        store.markIntakeFailed(prefix + "1", CallStatus.GONE, "gone", "a", T0);
        var live = store.callsIn(CallTable.LIVE, null, 100).items().stream()
                .map(CallRecord::callId).filter(id -> id.startsWith(prefix)).toList();
        assertThat(live).containsExactly(prefix + "2", prefix + "0");
    }
}
