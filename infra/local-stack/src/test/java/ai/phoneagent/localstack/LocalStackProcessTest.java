package ai.phoneagent.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.localaws.LocalAws;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookSender;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.TestKeys;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack as {@code scripts/run.sh} runs it, in a process of its own, stopped with a real SIGTERM while it
 * holds a live call: the call is handed off and the process exits 0 within {@link #STOP_BOUND}. A long poll in flight
 * used to hold the embedded SQS's stop for its whole 20 s wait (22–25 s from SIGTERM to exit).
 */
class LocalStackProcessTest {
    /** Generous for a loaded 2-core machine; about 1–2.5 s when it is not. */
    private static final Duration STOP_BOUND = Duration.ofSeconds(10);
    private static final Duration START_BOUND = Duration.ofSeconds(240);

    @Test
    void sigtermHandsTheLiveCallOffAndExitsZeroWithinTheBound(@TempDir Path state) throws Exception {
        Path console = state.resolve("console.txt");
        Path log = state.resolve("local-stack.log");
        int port = LocalAws.freePort();
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder builder = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                LocalStackMain.class.getName())
                .redirectErrorStream(true).redirectOutput(console.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().retainAll(List.of("PATH", "HOME", "LANG", "TMPDIR", "JAVA_HOME"));
        env.putAll(Map.of("PORT", Integer.toString(port), "LOCAL_STACK_STATE_DIR", state.toString(),
                "LOCAL_STACK_NO_DEMO", "true", "LOCAL_STACK_SCENARIO", "console-demo", // calls wait for an operator
                "OPENAI_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET));
        Process stack = builder.start();
        try {
            Await.until("the stack serving", START_BOUND, () -> read(console).contains("local stack: serving on port")
                    || !stack.isAlive());
            assertThat(stack.isAlive()).as("started; console: %s", read(console)).isTrue();
            IncomingCallSpec call = IncomingCallSpec.random();
            var delivered = new WebhookSender(TestKeys.WEBHOOK_SECRET, Clock.systemUTC(), RedeliveryPolicy.once())
                    .sendIncomingCall(URI.create("http://127.0.0.1:" + port + "/openai/webhook"), call);
            assertThat(delivered.statuses()).containsExactly(200);
            Await.until("the call greeted by the stack's worker", Duration.ofSeconds(60), () -> read(log).lines()
                    .anyMatch(l -> l.contains("\"msg\":\"call attached\"") && l.contains(call.callId())));

            stack.destroy(); // SIGTERM

            assertThat(stack.waitFor(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS))
                    .as("exited within %s of SIGTERM; console: %s", STOP_BOUND, read(console)).isTrue();
            assertThat(stack.exitValue()).as("exit status").isZero();
            assertThat(read(log).lines().filter(l -> l.contains(call.callId())))
                    .as("the live call was handed off, not dropped")
                    .anySatisfy(l -> assertThat(l).contains("\"msg\":\"call handed off\""))
                    .noneSatisfy(l -> assertThat(l).contains("hand-off failed"));
            assertThat(read(console)).contains("local stack: stopped");
        } finally {
            if (stack.isAlive()) {
                stack.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
