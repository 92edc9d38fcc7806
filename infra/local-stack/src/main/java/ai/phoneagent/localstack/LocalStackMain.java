package ai.phoneagent.localstack;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.logging.JsonLog;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** {@code scripts/run.sh}: starts the local stack, places the demo call (with the simulator), keeps serving. */
public final class LocalStackMain {
    private LocalStackMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream console = System.out;
        Env env = Env.system();
        Path logFile = Path.of(env.get("LOCAL_STACK_LOG", "local-stack.log"));
        if (!env.bool("LOCAL_STACK_VERBOSE", false)) {
            JsonLog.redirect(new PrintStream(new FileOutputStream(logFile.toFile(), true), true, StandardCharsets.UTF_8));
        }
        Clock clock = Clock.systemUTC();
        LocalStack stack;
        try {
            stack = LocalStack.start(env, clock);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("Could not start the local stack: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.List<AutoCloseable> resources = new java.util.concurrent.CopyOnWriteArrayList<>();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // shutting down
                }
            }
            stack.close();
            stopped.countDown();
        }));
        console.println("local stack: webhook  POST " + stack.webhookUrl());
        console.println("local stack: control  " + stack.baseUrl() + "/control/calls  (see control-lambda/README.md)");
        console.println("local stack: console  " + stack.consoleLoginUrl() + "  (one-time sign-in link; see infra/console/README.md)");
        console.println("local stack: worker " + stack.worker().workerId() + " health at http://127.0.0.1:"
                + stack.worker().healthPort() + "/health");
        console.println("local stack: JSON logs in " + (env.bool("LOCAL_STACK_VERBOSE", false) ? "this console" : logFile.toAbsolutePath()));
        stack.simulator().ifPresent(sim -> console.println("local stack: OpenAI simulator at " + sim.baseUrl()));
        stack.generated("CONTROL_API_TOKEN").ifPresent(token -> console.println(
                "local stack: list live calls with\n  curl -H 'Authorization: Bearer " + token + "' " + stack.baseUrl() + "/control/calls"));
        stack.generated("OPENAI_WEBHOOK_SECRET").ifPresent(secret -> console.println(
                "local stack: place another call with\n  java -jar infra/simulator/target/connector-simulator-1.0.0-all.jar send-webhook --url "
                        + stack.webhookUrl() + " --secret " + secret));
        OutboundDemo.printHowTo(stack, console);
        stack.discord().ifPresent(discord -> resources.add(new DiscordEcho(discord, console)));
        if (stack.simulator().isPresent() && !env.bool("LOCAL_STACK_NO_DEMO", false)) {
            new DemoCall(stack, console, clock).run();
        }
        console.println("local stack: serving on port " + stack.port() + " (Ctrl-C to stop)");
        stopped.await();
    }
}
