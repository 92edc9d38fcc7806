package ai.phoneagent.worker.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Netty link against a hand-written WebSocket peer on real loopback sockets, plain and TLS. */
class RealtimeLinkTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String DROPPED = "connection closed without a close frame";
    private static TestCertificate certificate;

    @BeforeAll
    static void certificate(@TempDir Path dir) throws Exception {
        certificate = TestCertificate.generate(dir);
    }

    private static RealtimeConnector connector(WebSocketPeer peer, Duration pingInterval) throws Exception {
        return new RealtimeConnector(peer.endpoints(), "sk-test", pingInterval, certificate.trust());
    }

    @Test
    void attachesOverTlsSendsMaskedFramesAndAnswersThePeersCloseFrame() throws Exception {
        CompletableFuture<String> head = new CompletableFuture<>();
        CompletableFuture<WebSocketPeer.Frame> fromClient = new CompletableFuture<>();
        CompletableFuture<WebSocketPeer.Frame> closeAnswer = new CompletableFuture<>();
        try (WebSocketPeer peer = WebSocketPeer.tls(certificate.serverContext(), c -> {
            head.complete(c.head());
            c.acceptUpgrade(WebSocketPeer.text("{\"type\":\"session.created\"}"));
            fromClient.complete(c.read());
            c.write(WebSocketPeer.close(4000, "call over"));
            closeAnswer.complete(c.read());
            c.awaitEnd();
        }); RealtimeConnector connector = connector(peer, Duration.ofSeconds(5))) {
            Recorder link = new Recorder();
            connector.connect("rtc_tls", link);
            RealtimeConnection socket = link.opened.get(10, TimeUnit.SECONDS);
            assertThat(socket.send("{\"type\":\"response.create\"}")).isTrue();

            assertThat(link.disconnect.get(10, TimeUnit.SECONDS)).isEqualTo(new Disconnect.Closed(4000, "call over"));
            assertThat(link.events).containsExactly("open", "{\"type\":\"session.created\"}", "closed 4000 call over");
            assertThat(fromClient.get(5, TimeUnit.SECONDS)).satisfies(f -> {
                assertThat(f.masked()).as("a client masks what it sends").isTrue();
                assertThat(f.text()).isEqualTo("{\"type\":\"response.create\"}");
            });
            assertThat(closeAnswer.get(5, TimeUnit.SECONDS)).satisfies(f -> {
                assertThat(f.opcode()).isEqualTo(WebSocketPeer.CLOSE);
                assertThat(f.closeCode()).isEqualTo(1000);
            });
            assertThat(socket.send("{}")).as("nothing after the close").isFalse();
            assertThat(head.get()).startsWith("GET /v1/realtime?call_id=rtc_tls HTTP/1.1\r\n")
                    .containsIgnoringCase("\r\nAuthorization: Bearer sk-test\r\n")
                    .doesNotContainIgnoringCase("OpenAI-Beta").doesNotContainIgnoringCase("Origin:");
            assertThat(peer.failures()).isEmpty();
        }
    }

    @Test
    void aWssServerWhoseCertificateIsNotTrustedIsRefusedBeforeTheUpgrade() throws Exception {
        try (WebSocketPeer peer = WebSocketPeer.tls(certificate.serverContext(), c -> {
            c.acceptUpgrade();
            c.awaitEnd();
        }); RealtimeConnector connector = new RealtimeConnector(peer.endpoints(), "sk-test", Duration.ZERO)) {
            Recorder link = new Recorder();
            connector.connect("rtc_untrusted", link);
            assertThat(link.disconnect.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(Disconnect.Failed.class, f -> {
                assertThat(f.httpStatus()).isZero();
                assertThat(f.error()).contains("SSLHandshakeException").doesNotContain("sk-test");
            });
            assertThat(link.opened).isNotDone();
        }
    }

    @Test
    void theMessageRightBeforeADropWithoutCloseFrameIsDeliveredBeforeTheDisconnect() throws Exception {
        for (boolean tls : new boolean[] {false, true}) {
            WebSocketPeer.Script lastWords = c -> {
                c.acceptUpgrade();
                c.write(WebSocketPeer.text("{\"type\":\"first\"}"), WebSocketPeer.text("{\"type\":\"last.words\"}"));
                c.endWithoutCloseFrame();
                c.awaitEnd();
            };
            try (WebSocketPeer peer = tls ? WebSocketPeer.tls(certificate.serverContext(), lastWords)
                    : WebSocketPeer.plain(lastWords); RealtimeConnector connector = connector(peer, Duration.ZERO)) {
                for (int attempt = 0; attempt < 20; attempt++) {
                    Recorder link = new Recorder();
                    connector.connect("rtc_drop", link);
                    Disconnect d = link.disconnect.get(10, TimeUnit.SECONDS);
                    assertThat(d).as("tls %s, attempt %d", tls, attempt).isInstanceOf(Disconnect.Failed.class);
                    assertThat(link.events).as("tls %s, attempt %d", tls, attempt).containsExactly("open",
                            "{\"type\":\"first\"}", "{\"type\":\"last.words\"}", "failed 0 " + ((Disconnect.Failed) d).error());
                    if (!tls) {
                        assertThat(d).isEqualTo(new Disconnect.Failed(0, DROPPED));
                    }
                }
            }
        }
    }

    @Test
    void framesThatArriveInTheSamePacketAsTheUpgradeAnswerAreNotLost() throws Exception {
        try (WebSocketPeer peer = WebSocketPeer.plain(c -> {
            c.acceptUpgrade(WebSocketPeer.text("{\"type\":\"session.created\"}"), WebSocketPeer.text("{\"type\":\"next\"}"));
            c.awaitEnd();
        }); RealtimeConnector connector = connector(peer, Duration.ZERO)) {
            Recorder link = new Recorder();
            connector.connect("rtc_eager", link);
            Await.until("two messages", WAIT, () -> link.events.size() == 3);
            assertThat(link.events).containsExactly("open", "{\"type\":\"session.created\"}", "{\"type\":\"next\"}");
            link.opened.join().cancel();
        }
    }

    @Test
    void aLargeMessageSplitIntoFragmentsAroundAPingIsDeliveredWholeAndThePingAnswered() throws Exception {
        String head = "{\"type\":\"session.created\",\"instructions\":\"";
        String body = "é€ say hello ".repeat(300_000); // ~5 MB of multi-byte text: many reads, a pooled buffer each
        String tail = "\"}";
        CompletableFuture<WebSocketPeer.Frame> pong = new CompletableFuture<>();
        try (WebSocketPeer peer = WebSocketPeer.plain(c -> {
            c.acceptUpgrade();
            c.write(WebSocketPeer.frame(false, WebSocketPeer.TEXT, head),
                    WebSocketPeer.frame(true, WebSocketPeer.PING, "are you there"), // control frames may interleave
                    WebSocketPeer.frame(false, WebSocketPeer.CONTINUATION, body),
                    WebSocketPeer.frame(true, WebSocketPeer.CONTINUATION, tail),
                    WebSocketPeer.text("{\"type\":\"next\"}"));
            pong.complete(c.read());
            c.awaitEnd();
        }); RealtimeConnector connector = connector(peer, Duration.ZERO)) {
            Recorder link = new Recorder();
            connector.connect("rtc_large", link);
            Await.until("two messages", WAIT, () -> link.events.size() == 3);
            assertThat(link.events.get(1)).hasSize(head.length() + body.length() + tail.length())
                    .isEqualTo(head + body + tail);
            assertThat(link.events.get(2)).isEqualTo("{\"type\":\"next\"}");
            assertThat(pong.get(5, TimeUnit.SECONDS)).satisfies(f -> {
                assertThat(f.opcode()).isEqualTo(WebSocketPeer.PONG);
                assertThat(f.text()).isEqualTo("are you there");
            });
            link.opened.join().cancel();
        }
    }

    @Test
    void cancelDuringAnUpgradeThatNeverAnswersReportsOnceAndClosesTheConnection() throws Exception {
        CompletableFuture<String> asked = new CompletableFuture<>();
        CompletableFuture<Boolean> ended = new CompletableFuture<>();
        try (WebSocketPeer mute = WebSocketPeer.plain(c -> {
            asked.complete(c.head()); // and never answers
            ended.complete(c.awaitEnd());
        }); RealtimeConnector connector = connector(mute, Duration.ofSeconds(5))) {
            Recorder waiting = new Recorder();
            RealtimeConnection opening = connector.connect("rtc_mute", waiting);
            asked.get(10, TimeUnit.SECONDS);
            assertThat(opening.send("{}")).as("not open yet").isFalse();

            opening.cancel(); // the session gave up on the upgrade

            assertThat(waiting.disconnect.get(10, TimeUnit.SECONDS)).isEqualTo(new Disconnect.Failed(0, "cancelled"));
            assertThat(ended.get(5, TimeUnit.SECONDS)).as("the half-done upgrade's connection is closed").isTrue();
            opening.cancel();
            assertThat(waiting.events).containsExactly("failed 0 cancelled");
        }
    }

    @Test
    void aRefusedUpgradeReportsItsStatusAndTheNextAttachGetsAConnectionOfItsOwn() throws Exception {
        List<Integer> ports = new CopyOnWriteArrayList<>();
        try (WebSocketPeer peer = WebSocketPeer.plain(c -> {
            String head = c.head();
            if (head.contains("call_id=rtc_gone")) {
                c.refuseUpgrade(404, "{\"error\":{\"code\":\"not_found\"}}"); // and keeps the connection open
            } else {
                c.acceptUpgrade();
            }
            c.awaitEnd();
        }); RealtimeConnector connector = connector(peer, Duration.ZERO)) {
            Recorder gone = new Recorder();
            connector.connect("rtc_gone", gone);
            assertThat(gone.disconnect.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(Disconnect.Failed.class, f -> {
                assertThat(f.callGone()).isTrue();
                assertThat(f.error()).contains("404");
            });
            Recorder next = new Recorder();
            connector.connect("rtc_next", next);
            next.opened.get(10, TimeUnit.SECONDS);
            assertThat(peer.connections()).as("one connection per attach").isEqualTo(2);
            next.opened.join().cancel();
        }
    }

    @Test
    void sendsFromManyThreadsAllArriveWholeAndEachThreadsInOrder() throws Exception {
        int threads = 8;
        int each = 200;
        List<String> received = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(threads * each);
        try (WebSocketPeer peer = WebSocketPeer.plain(c -> {
            c.acceptUpgrade();
            while (all.getCount() > 0) {
                WebSocketPeer.Frame f = c.read();
                assertThat(f.masked()).isTrue();
                received.add(f.text());
                all.countDown();
            }
            c.awaitEnd();
        }); RealtimeConnector connector = connector(peer, Duration.ZERO)) {
            Recorder link = new Recorder();
            connector.connect("rtc_busy", link);
            RealtimeConnection socket = link.opened.get(10, TimeUnit.SECONDS);
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int sender = t;
                senders.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        assertThat(socket.send(sender + ":" + i + ":" + "x".repeat(i))).isTrue();
                    }
                }));
            }
            for (Thread sender : senders) {
                sender.join();
            }
            assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
            for (int t = 0; t < threads; t++) {
                String prefix = t + ":";
                List<Integer> order = received.stream().filter(m -> m.startsWith(prefix))
                        .map(m -> Integer.parseInt(m.split(":")[1])).toList();
                assertThat(order).as("sender %d", t).hasSize(each).isSorted();
            }
            socket.cancel();
            assertThat(peer.failures()).isEmpty();
        }
    }

    @Test
    void aCloseWeStartIsSentAfterEveryQueuedMessageAndEndsWithThePeersAnswer() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (WebSocketPeer peer = WebSocketPeer.plain(c -> {
            c.acceptUpgrade();
            WebSocketPeer.Frame f;
            while ((f = c.read()).opcode() == WebSocketPeer.TEXT) {
                received.add(f.text());
            }
            received.add("close " + f.closeCode() + " " + new String(f.payload(), 2, f.payload().length - 2, StandardCharsets.UTF_8));
            c.write(WebSocketPeer.close(1000, ""));
            c.awaitEnd();
        }); RealtimeConnector connector = connector(peer, Duration.ZERO)) {
            Recorder link = new Recorder();
            connector.connect("rtc_bye", link);
            RealtimeConnection socket = link.opened.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 100; i++) {
                assertThat(socket.send("m" + i)).isTrue();
            }
            socket.close(1000, "hung up");
            assertThat(socket.send("late")).isFalse();
            assertThat(link.disconnect.get(10, TimeUnit.SECONDS)).isEqualTo(new Disconnect.Closed(1000, ""));
            assertThat(received).hasSize(101).endsWith("close 1000 hung up").startsWith("m0", "m1");
        }
    }

    @Test
    void everyCallbackOfAConnectionComesFromOneThreadAndTheDisconnectOnce() throws Exception {
        try (WebSocketPeer peer = WebSocketPeer.plain(c -> {
            c.acceptUpgrade();
            for (int i = 0; i < 50; i++) {
                c.write(WebSocketPeer.text("{\"n\":" + i + "}"));
            }
            c.write(WebSocketPeer.close(1001, "going away"));
            c.read();
            c.awaitEnd();
        }); RealtimeConnector connector = connector(peer, Duration.ZERO)) {
            Recorder link = new Recorder();
            RealtimeConnection socket = connector.connect("rtc_threads", link);
            assertThat(link.disconnect.get(10, TimeUnit.SECONDS)).isEqualTo(new Disconnect.Closed(1001, "going away"));
            socket.cancel();
            socket.close(1000, "late");
            assertThat(link.events).hasSize(52).last().isEqualTo("closed 1001 going away");
            assertThat(link.threads).hasSize(1).allMatch(name -> name.startsWith("realtime-io"));
        }
    }

    /** Every callback, in order: "open", each message's text, then "closed code reason" or "failed status error". */
    private static final class Recorder implements RealtimeListener {
        final CompletableFuture<RealtimeConnection> opened = new CompletableFuture<>();
        final CompletableFuture<Disconnect> disconnect = new CompletableFuture<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @Override
        public void onOpen(RealtimeConnection connection) {
            threads.add(Thread.currentThread().getName());
            events.add("open");
            opened.complete(connection);
        }

        @Override
        public void onMessage(String text) {
            threads.add(Thread.currentThread().getName());
            events.add(text);
        }

        @Override
        public void onDisconnect(Disconnect d) {
            threads.add(Thread.currentThread().getName());
            events.add(switch (d) {
                case Disconnect.Closed c -> "closed " + c.code() + " " + c.reason();
                case Disconnect.Failed f -> "failed " + f.httpStatus() + " " + f.error();
            });
            disconnect.complete(d);
        }
    }
}
