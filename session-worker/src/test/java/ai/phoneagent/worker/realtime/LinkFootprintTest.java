package ai.phoneagent.worker.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import ai.phoneagent.openai.OpenAiEndpoints;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a check run by the suite: the heap one idle open call socket costs the worker, over {@code ws://}
 * and {@code wss://}. The peer runs in a JVM of its own so only the client side is on this heap; each figure is the
 * live heap (after full GCs) with N sockets open minus the same before, over N. Run it with
 * {@code ./mvnw -pl session-worker -am verify -Dtest=LinkFootprintTest -Dsurefire.failIfNoSpecifiedTests=false -Dlink.footprint=1000}.
 */
@EnabledIfSystemProperty(named = "link.footprint", matches = "\\d+")
class LinkFootprintTest {
    @Test
    void heapPerIdleSocketPlainAndTls(@TempDir Path dir) throws Exception {
        int sockets = Integer.getInteger("link.footprint");
        TestCertificate certificate = TestCertificate.generate(dir);
        double plain = measure(sockets, null, certificate);
        double tls = measure(sockets, certificate, certificate);
        System.out.printf("LINK FOOTPRINT %d sockets: ws:// %.1f KB, wss:// %.1f KB heap per idle socket%n",
                sockets, plain / 1024, tls / 1024);
        assertThat(tls).as("below OkHttp's 34.5 KB per wss:// socket").isLessThan(34.5 * 1024);
    }

    private static double measure(int sockets, TestCertificate serverCert, TestCertificate trust) throws Exception {
        String scheme = serverCert == null ? "ws" : "wss";
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), WebSocketPeer.class.getName()));
        if (serverCert != null) {
            command.addAll(List.of(serverCert.keyStore().toString(), serverCert.password()));
        }
        Process peer = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith("PORT ");
            OpenAiEndpoints endpoints = new OpenAiEndpoints(URI.create(
                    (serverCert == null ? "http" : "https") + "://127.0.0.1:" + line.substring(5)));
            try (RealtimeConnector connector = new RealtimeConnector(endpoints, "sk-test", Duration.ofSeconds(5),
                    trust.trust())) {
                open(connector, 200).forEach(RealtimeConnection::cancel); // warm-up: classes, pools, TLS session
                long before = liveHeap();
                List<RealtimeConnection> open = open(connector, sockets);
                long after = liveHeap();
                double perSocket = (double) (after - before) / sockets;
                System.out.printf("LINK FOOTPRINT %s:// %d sockets: %.1f KB per socket%n", scheme, sockets,
                        perSocket / 1024);
                open.forEach(RealtimeConnection::cancel);
                return perSocket;
            }
        } finally {
            peer.getOutputStream().close();
            if (!peer.waitFor(10, TimeUnit.SECONDS)) {
                peer.destroyForcibly();
            }
        }
    }

    private static List<RealtimeConnection> open(RealtimeConnector connector, int sockets) throws Exception {
        List<CompletableFuture<RealtimeConnection>> opening = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            CompletableFuture<RealtimeConnection> opened = new CompletableFuture<>();
            opening.add(opened);
            connector.connect("rtc_" + i, new RealtimeListener() {
                @Override
                public void onOpen(RealtimeConnection connection) {
                    opened.complete(connection);
                }

                @Override
                public void onMessage(String text) {
                }

                @Override
                public void onDisconnect(Disconnect disconnect) {
                    opened.completeExceptionally(new IllegalStateException(disconnect.toString()));
                }
            });
            if (i % 50 == 49) {
                opening.get(i).get(30, TimeUnit.SECONDS); // a few at a time, as calls arrive
            }
        }
        List<RealtimeConnection> open = new ArrayList<>();
        for (CompletableFuture<RealtimeConnection> opened : opening) {
            open.add(opened.get(30, TimeUnit.SECONDS));
        }
        return open;
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
