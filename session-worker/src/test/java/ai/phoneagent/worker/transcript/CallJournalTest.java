package ai.phoneagent.worker.transcript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.call.Turn;
import ai.phoneagent.openai.RetryRunner;
import ai.phoneagent.testing.AwsFixture;
import ai.phoneagent.testing.InterceptedDynamo;
import ai.phoneagent.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/** The journal against DynamoDB Local, with faults put in front of the real client; no test sleeps. */
class CallJournalTest {
    private static final RetryRunner.Sleeper NO_PAUSE = pause -> { };
    private static AwsFixture aws;

    @BeforeAll
    static void setUp() {
        aws = AwsFixture.embedded();
    }

    private static String newCall() {
        String id = "rtc_" + UUID.randomUUID().toString().replace("-", "");
        aws.callStore().recordIncoming(new IncomingCall(id, "msg_" + id, List.of()), Instant.now());
        return id;
    }

    /**
     * The real client, except that put requests fail while {@code failing} is above zero (counting down); with
     * {@code afterLanding}, a failing put is sent first and only its answer is lost.
     */
    private static CallStore faulty(AtomicInteger failing, boolean afterLanding) {
        DynamoDbClient proxy = InterceptedDynamo.around(aws.dynamo(), (request, proceed) -> {
            boolean fail = request instanceof PutItemRequest && failing.getAndDecrement() > 0;
            if (fail && !afterLanding) {
                throw SdkClientException.create("connection refused (test)");
            }
            Object answer = proceed.call();
            if (fail) {
                throw SdkClientException.create("read timed out (test)");
            }
            return answer;
        });
        return new CallStore(proxy, aws.tableName());
    }

    private static List<String> storedTexts(String callId) {
        return aws.callStore().allTurns(callId).stream().map(Turn::text).toList();
    }

    @Test
    void storesEveryLineInOrderAndTellsItsObserversOnTheLaneOnce() {
        String callId = newCall();
        CallJournal journal = new CallJournal(aws.callStore(), Clock.systemUTC(), Duration.ofMinutes(1), NO_PAUSE);
        journal.open(callId, 0);
        Map<String, List<String>> toldOn = new ConcurrentHashMap<>();
        for (int i = 0; i < 20; i++) {
            String text = "line " + i;
            journal.turn(callId, i % 2 == 0 ? Turn.Speaker.AGENT : Turn.Speaker.CALLER, text, "item_" + i,
                    () -> toldOn.computeIfAbsent(text, t -> new CopyOnWriteArrayList<>()).add(Thread.currentThread().getName()));
        }
        assertThat(journal.flush(callId, Duration.ofSeconds(30))).isTrue();
        assertThat(storedTexts(callId)).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 20).mapToObj(i -> "line " + i).toList());
        assertThat(aws.callStore().allTurns(callId)).extracting(Turn::seq)
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 20).boxed().toList());
        assertThat(toldOn).hasSize(20);
        assertThat(toldOn.values()).allSatisfy(threads -> assertThat(threads).singleElement()
                .asString().isEqualTo("journal-" + callId));
        assertThat(journal.health().pending()).isZero();
        awaitTurnCount(callId, 20);
    }

    @Test
    void aWriteWhoseAnswerWasLostIsRetriedAndStoredOnce() {
        String callId = newCall();
        AtomicInteger failing = new AtomicInteger(2); // the row and the marker of the first attempt land unanswered
        CallJournal journal = new CallJournal(faulty(failing, true), Clock.systemUTC(), Duration.ofMinutes(1), NO_PAUSE);
        journal.open(callId, 0);
        journal.turn(callId, Turn.Speaker.AGENT, "Hello!", "item_a");
        assertThat(journal.flush(callId, Duration.ofSeconds(30))).isTrue();
        journal.turn(callId, Turn.Speaker.CALLER, "Hi", "item_b");
        assertThat(journal.flush(callId, Duration.ofSeconds(30))).isTrue();
        assertThat(failing.get()).as("the faults were hit").isNegative();
        assertThat(aws.callStore().allTurns(callId)).extracting(Turn::seq, Turn::text)
                .containsExactly(tuple(0L, "Hello!"),
                        tuple(1L, "Hi"));
        assertThat(journal.health().failingSince()).isNull();
    }

    @Test
    void aStoreOutageDelaysLinesNeverDropsThemAndShowsInHealthMeanwhile() {
        String callId = newCall();
        AtomicInteger failing = new AtomicInteger(Integer.MAX_VALUE);
        AtomicInteger pauses = new AtomicInteger();
        List<CallJournal.Health> seen = new CopyOnWriteArrayList<>();
        CallJournal[] journal = new CallJournal[1];
        RetryRunner.Sleeper sleeper = pause -> {
            seen.add(journal[0].health());
            if (pauses.incrementAndGet() == 25) {
                failing.set(0); // the store comes back
            }
        };
        journal[0] = new CallJournal(faulty(failing, false), Clock.systemUTC(), Duration.ofMinutes(5), sleeper);
        journal[0].open(callId, 0);
        for (int i = 0; i < 3; i++) {
            journal[0].turn(callId, Turn.Speaker.CALLER, "line " + i, "item_" + i);
        }
        assertThat(journal[0].flush(callId, Duration.ofSeconds(30))).isTrue();
        assertThat(storedTexts(callId)).containsExactly("line 0", "line 1", "line 2");
        assertThat(seen).isNotEmpty().allSatisfy(h -> {
            assertThat(h.failingSince()).isNotNull();
            assertThat(h.pending()).isPositive();
        });
        assertThat(journal[0].health()).isEqualTo(new CallJournal.Health(0, null, 0));
    }

    @Test
    void onlyEntriesOlderThanTheGiveUpWindowAreEverDropped() {
        String callId = newCall();
        MutableClock clock = new MutableClock(Instant.now());
        AtomicInteger failing = new AtomicInteger(Integer.MAX_VALUE);
        CallJournal journal = new CallJournal(faulty(failing, false), clock, Duration.ofMinutes(1),
                pause -> clock.advance(Duration.ofSeconds(20)));
        journal.open(callId, 0);
        journal.turn(callId, Turn.Speaker.CALLER, "never stored", "item_0");
        assertThat(journal.flush(callId, Duration.ofSeconds(30))).isTrue();
        assertThat(journal.health().dropped()).isEqualTo(1);
        assertThat(storedTexts(callId)).isEmpty();
    }

    /** Whether {@code request} writes the turn row of {@code text} (not its marker, nor an event). */
    private static boolean putsTurnRow(Object request, String text) {
        return request instanceof PutItemRequest put && put.item().containsKey("text")
                && text.equals(put.item().get("text").s());
    }

    @Test
    void laterLinesGoOutBesideAWriteStillInFlightAndKeepTheOrderReceived() throws Exception {
        String callId = newCall();
        CountDownLatch laterWriteIssued = new CountDownLatch(1);
        boolean[] firstSawALaterWrite = {false};
        CallStore store = new CallStore(InterceptedDynamo.around(aws.dynamo(), (request, proceed) -> {
            if (putsTurnRow(request, "line 0")) {
                firstSawALaterWrite[0] = laterWriteIssued.await(10, TimeUnit.SECONDS); // held until a later line's write starts
            } else if (putsTurnRow(request, "line 1")) {
                laterWriteIssued.countDown();
            }
            return proceed.call();
        }), aws.tableName());
        CallJournal journal = new CallJournal(store, Clock.systemUTC(), Duration.ofMinutes(1), NO_PAUSE);
        journal.open(callId, 0);
        List<String> told = new CopyOnWriteArrayList<>();
        journal.turn(callId, Turn.Speaker.AGENT, "line 0", "item_0", () -> told.add("line 0"));
        // the first write is now in flight or about to be: the next line must not wait for its answer
        for (int i = 1; i < 5; i++) {
            String text = "line " + i;
            journal.turn(callId, Turn.Speaker.CALLER, text, "item_" + i, () -> told.add(text));
        }
        assertThat(journal.flush(callId, Duration.ofSeconds(30))).isTrue();
        assertThat(firstSawALaterWrite[0]).as("a later line was written while the first write waited").isTrue();
        assertThat(told).containsExactly("line 0", "line 1", "line 2", "line 3", "line 4");
        assertThat(aws.callStore().allTurns(callId)).extracting(Turn::seq, Turn::text).containsExactly(
                tuple(0L, "line 0"), tuple(1L, "line 1"),
                tuple(2L, "line 2"), tuple(3L, "line 3"),
                tuple(4L, "line 4"));
        assertThat(journal.health().pending()).isZero();
    }

    @Test
    void withTheNumberUnknownLaterTurnsWaitForTheWriteInFlightAndAreNumberedAfterWhatIsStored() throws Exception {
        String callId = newCall();
        CallJournal earlier = new CallJournal(aws.callStore(), Clock.systemUTC(), Duration.ofMinutes(1), NO_PAUSE);
        earlier.open(callId, 0);
        earlier.turn(callId, Turn.Speaker.AGENT, "stored before", "item_before");
        assertThat(earlier.flush(callId, Duration.ofSeconds(30))).isTrue();
        // a take-over: the new owner does not know the call's next number, and reads it with its first write
        CountDownLatch readStarted = new CountDownLatch(1);
        CountDownLatch releaseRead = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        CallStore store = new CallStore(InterceptedDynamo.around(aws.dynamo(), (request, proceed) -> {
            if (request instanceof QueryRequest && reads.getAndIncrement() == 0) {
                readStarted.countDown();
                assertThat(releaseRead.await(10, TimeUnit.SECONDS)).isTrue();
            }
            return proceed.call();
        }), aws.tableName());
        CallJournal journal = new CallJournal(store, Clock.systemUTC(), Duration.ofMinutes(1), NO_PAUSE);
        journal.open(callId, CallStore.UNKNOWN_SEQ);
        journal.turn(callId, Turn.Speaker.CALLER, "first here", "item_1");
        assertThat(readStarted.await(10, TimeUnit.SECONDS)).isTrue();
        journal.turn(callId, Turn.Speaker.AGENT, "second here", "item_2");
        journal.turn(callId, Turn.Speaker.CALLER, "third here", "item_3");
        assertThat(journal.flush(callId, Duration.ofMillis(50))).as("the later turns wait for the number").isFalse();
        releaseRead.countDown();
        assertThat(journal.flush(callId, Duration.ofSeconds(30))).isTrue();
        assertThat(reads.get()).as("the number was read once").isEqualTo(1);
        assertThat(aws.callStore().allTurns(callId)).extracting(Turn::seq, Turn::text).containsExactly(
                tuple(0L, "stored before"), tuple(1L, "first here"),
                tuple(2L, "second here"), tuple(3L, "third here"));
        awaitTurnCount(callId, 4);
    }

    @Test
    void linesFromManyThreadsAreEachStoredOnceUnderContiguousNumbersAndTheLaneRetires() throws Exception {
        String callId = newCall();
        CallJournal journal = new CallJournal(aws.callStore(), Clock.systemUTC(), Duration.ofMinutes(1), NO_PAUSE);
        journal.open(callId, 0);
        List<String> told = new CopyOnWriteArrayList<>();
        int threads = 8;
        int each = 25;
        try (ExecutorService appenders = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                appenders.execute(() -> {
                    for (int i = 0; i < each; i++) {
                        String text = "t" + thread + " line " + i;
                        journal.turn(callId, Turn.Speaker.CALLER, text, "item_" + thread + "_" + i, () -> told.add(text));
                    }
                });
            }
        }
        assertThat(journal.flush(callId, Duration.ofSeconds(60))).isTrue();
        List<Turn> stored = aws.callStore().allTurns(callId);
        assertThat(stored).extracting(Turn::seq)
                .containsExactlyElementsOf(LongStream.range(0, threads * each).boxed().toList());
        assertThat(stored).extracting(Turn::text).containsExactlyElementsOf(told);
        for (int t = 0; t < threads; t++) { // each thread's lines in the order it wrote them
            String prefix = "t" + t + " ";
            assertThat(stored.stream().map(Turn::text).filter(x -> x.startsWith(prefix)).toList())
                    .containsExactlyElementsOf(IntStream.range(0, each).mapToObj(i -> prefix + "line " + i).toList());
        }
        assertThat(journal.health()).isEqualTo(new CallJournal.Health(0, null, 0));
        awaitTurnCount(callId, threads * each);
    }

    /** The turn count is raised off the lane: awaited, with a deadline. */
    private static void awaitTurnCount(String callId, long expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long count = -1;
        while (System.nanoTime() < deadline) {
            count = aws.callStore().get(callId).orElseThrow().nextSeq();
            if (count == expected) {
                return;
            }
            Thread.onSpinWait();
        }
        assertThat(count).as("the call's turn count").isEqualTo(expected);
    }
}
