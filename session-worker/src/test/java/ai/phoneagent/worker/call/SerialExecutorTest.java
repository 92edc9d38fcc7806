package ai.phoneagent.worker.call;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.logging.LogContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
    @Test
    void everyTaskRunsInTheCallsContextWhoeverSubmitsIt() throws Exception {
        LogContext a = LogContext.ofCall("rtc_a", null);
        LogContext b = LogContext.ofCall("rtc_b", null);
        SerialExecutor mailboxA = new SerialExecutor("call-a", a, t -> { });
        SerialExecutor mailboxB = new SerialExecutor("call-b", b, t -> { });
        List<String> seenA = new CopyOnWriteArrayList<>();
        List<String> seenB = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(200);
        List<Thread> submitters = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // plain threads (socket readers, timers) and a thread inside the other call's context
            LogContext submitterContext = i == 3 ? b : null;
            Runnable submit = () -> {
                for (int n = 0; n < 25; n++) {
                    mailboxA.execute(() -> {
                        seenA.add(LogContext.current().map(LogContext::traceId).orElse("none"));
                        done.countDown();
                    });
                    mailboxB.execute(() -> {
                        seenB.add(LogContext.current().map(LogContext::traceId).orElse("none"));
                        done.countDown();
                    });
                }
            };
            submitters.add(Thread.ofVirtual().start(submitterContext == null ? submit : submitterContext.bind(submit)));
        }
        for (Thread t : submitters) {
            t.join();
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seenA).hasSize(100).containsOnly(a.traceId());
        assertThat(seenB).hasSize(100).containsOnly(b.traceId());
    }

    @Test
    void withoutAContextTasksRunInNone() throws Exception {
        SerialExecutor plain = new SerialExecutor("plain", t -> { });
        var seen = new java.util.concurrent.CompletableFuture<Boolean>();
        LogContext.ofCall("rtc_a", null).run(() -> plain.execute(() -> seen.complete(LogContext.current().isPresent())));
        assertThat(seen.get(5, TimeUnit.SECONDS)).isFalse();
    }
}
