package ai.phoneagent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LogContextTest {
    private static final String TRACE_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1";
    private static final String TRACE_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2";
    private static final JsonLog LOG = JsonLog.forComponent("test");

    @RegisterExtension
    final CapturedLog log = new CapturedLog();

    private List<JsonNode> lines() {
        return log.lines().stream().map(line -> {
            try {
                return Json.parse(line);
            } catch (IOException e) {
                throw new AssertionError(line, e);
            }
        }).toList();
    }

    private JsonNode only() {
        assertThat(lines()).hasSize(1);
        return lines().getFirst();
    }

    @Test
    void linesInACallsContextCarryItsIdsWithoutAnyonePassingThem() {
        LogContext.ofCall("rtc_a", TRACE_A).run(() -> LOG.info("greeted", Map.of("latency_ms", 12)));
        JsonNode line = only();
        assertThat(line.path("call_id").asText()).isEqualTo("rtc_a");
        assertThat(line.path("trace_id").asText()).isEqualTo(TRACE_A);
        assertThat(line.path("latency_ms").asInt()).isEqualTo(12);
    }

    @Test
    void linesOutsideAnyContextCarryNeither() {
        LOG.info("started", Map.of());
        assertThat(only().has("call_id")).isFalse();
        assertThat(only().has("trace_id")).isFalse();
    }

    @Test
    void aLineNamingAnotherCallKeepsThatCallAndGetsNoTrace() {
        LogContext.ofCall("rtc_a", TRACE_A).run(() -> LOG.warn("swept", Map.of("call_id", "rtc_b")));
        JsonNode line = only();
        assertThat(line.path("call_id").asText()).isEqualTo("rtc_b");
        assertThat(line.has("trace_id")).isFalse();
    }

    @Test
    void aNestedContextShadowsTheOuterOneUntilItEnds() {
        LogContext.ofCall("rtc_a", TRACE_A).run(() -> {
            LogContext.ofCall("rtc_b", TRACE_B).run(() -> LOG.info("inner", Map.of()));
            LOG.info("outer again", Map.of());
        });
        List<JsonNode> lines = lines();
        assertThat(lines).extracting(l -> l.path("call_id").asText()).containsExactly("rtc_b", "rtc_a");
        assertThat(lines).extracting(l -> l.path("trace_id").asText()).containsExactly(TRACE_B, TRACE_A);
    }

    @Test
    void aNewVirtualThreadInheritsNothingUnlessTheWorkIsWrapped() throws Exception {
        CompletableFuture<Boolean> bare = new CompletableFuture<>();
        CompletableFuture<String> wrapped = new CompletableFuture<>();
        LogContext.ofCall("rtc_a", TRACE_A).run(() -> {
            Thread.ofVirtual().start(() -> bare.complete(LogContext.current().isPresent()));
            Thread.ofVirtual().start(LogContext.wrap(() -> wrapped.complete(LogContext.current().orElseThrow().traceId())));
        });
        assertThat(bare.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(wrapped.get(5, TimeUnit.SECONDS)).isEqualTo(TRACE_A);
    }

    @Test
    void aPropagatingExecutorRunsEachTaskInItsSubmittersContext() throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var io = LogContext.propagating(pool);
            CompletableFuture<String> a = new CompletableFuture<>();
            CompletableFuture<String> b = new CompletableFuture<>();
            CompletableFuture<Boolean> none = new CompletableFuture<>();
            LogContext.ofCall("rtc_a", TRACE_A).run(() -> io.execute(() -> {
                LOG.info("io for a", Map.of());
                a.complete(LogContext.current().orElseThrow().callId());
            }));
            LogContext.ofCall("rtc_b", TRACE_B).run(() -> io.execute(() -> {
                LOG.info("io for b", Map.of());
                b.complete(LogContext.current().orElseThrow().callId());
            }));
            io.execute(() -> none.complete(LogContext.current().isPresent()));
            assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("rtc_a");
            assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("rtc_b");
            assertThat(none.get(5, TimeUnit.SECONDS)).isFalse();
        }
        assertThat(lines()).allSatisfy(line -> assertThat(line.path("trace_id").asText())
                .isEqualTo(line.path("call_id").asText().equals("rtc_a") ? TRACE_A : TRACE_B));
    }

    @Test
    void wrappedCallablesKeepTheirContextOnAnotherThread() throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var future = LogContext.ofCall("rtc_a", TRACE_A).get(() ->
                    pool.submit(LogContext.wrapCallable(() -> LogContext.traceIdFor("rtc_a"))));
            assertThat(future.get(5, TimeUnit.SECONDS)).isEqualTo(TRACE_A);
        }
    }

    @Test
    void aRequestLearnsItsCallThenTheCallsStoredTrace() {
        LogContext request = LogContext.request();
        request.run(() -> {
            LOG.info("routed", Map.of());
            LogContext.identify("rtc_a", TRACE_B);
            LogContext.identify("rtc_a", TRACE_A); // the stored trace replaces the fresh one
            LogContext.identify("rtc_other", TRACE_B); // another call changes nothing
            LogContext.identify("rtc_a", "not a trace"); // nor does an invalid id
            LOG.info("command sent", Map.of());
        });
        List<JsonNode> lines = lines();
        assertThat(lines.get(0).has("call_id")).isFalse();
        assertThat(lines.get(1).path("call_id").asText()).isEqualTo("rtc_a");
        assertThat(lines.get(1).path("trace_id").asText()).isEqualTo(TRACE_A);
        assertThat(request.traceparent().orElseThrow()).startsWith("00-" + TRACE_A + "-");
    }

    @Test
    void aCallsOwnContextCannotBeRepointed() {
        LogContext.ofCall("rtc_a", TRACE_A).run(() -> {
            LogContext.identify("rtc_a", TRACE_B);
            assertThat(LogContext.traceIdFor("rtc_a")).isEqualTo(TRACE_A);
        });
        LogContext.identify("rtc_a", TRACE_B); // outside any context: nothing to fill, no failure
        assertThat(LogContext.current()).isEmpty();
    }

    @Test
    void aCallWithoutAValidTraceGetsANewOne() {
        String minted = LogContext.ofCall("rtc_a", null).traceId();
        assertThat(TraceParent.isValidTraceId(minted)).isTrue();
        assertThat(LogContext.ofCall("rtc_a", "ZZ").traceId()).isNotEqualTo("ZZ");
        assertThat(LogContext.about("rtc_a").traceparent()).isEmpty();
        assertThat(LogContext.about("rtc_a", null).traceId()).as("a stored call without a trace gets none").isNull();
        assertThat(LogContext.about("rtc_a", TRACE_A).traceId()).isEqualTo(TRACE_A);
    }

    @Test
    void errorDescriptionsCarryTheCauseChainWithSecretsMasked() {
        var failure = new IllegalStateException("call store write failed",
                new java.io.UncheckedIOException("connect refused to 127.0.0.1:4566",
                        new java.io.IOException("Authorization: Bearer sk-live-123456 refused")));
        String described = JsonLog.describe(failure);
        assertThat(described).isEqualTo("IllegalStateException: call store write failed; caused by"
                + " UncheckedIOException: connect refused to 127.0.0.1:4566; caused by"
                + " IOException: Authorization: Bearer *** refused");
        assertThat(described).doesNotContain("sk-live");
        assertThat(JsonLog.describe(new RuntimeException(new java.net.SocketTimeoutException("read timed out"))))
                .as("a wrapper repeating its cause is not said twice")
                .isEqualTo("RuntimeException: java.net.SocketTimeoutException: read timed out");
        assertThat(JsonLog.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
    }
}
