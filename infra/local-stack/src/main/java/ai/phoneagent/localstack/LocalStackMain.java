package ai.phoneagent.localstack;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.logging.JsonLog;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * {@code scripts/run.sh}: starts the local stack, writes its credentials and a separate worker's environment under
 * {@code .local/}, prints one banner, places the demo call (with the simulator and its own worker), keeps serving.
 */
public final class LocalStackMain {
    private LocalStackMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream console = System.out;
        Env env = Env.system();
        boolean verbose = env.bool("LOCAL_STACK_VERBOSE", false);
        Path stateDir = Path.of(env.get("LOCAL_STACK_STATE_DIR", ".local")).toAbsolutePath();
        Path logFile = Path.of(env.get("LOCAL_STACK_LOG", stateDir.resolve("local-stack.log").toString())).toAbsolutePath();
        if (!verbose) {
            Files.createDirectories(logFile.getParent());
            PrintStream log = new PrintStream(new FileOutputStream(logFile.toFile(), true), true, StandardCharsets.UTF_8);
            JsonLog.redirect(log);
            LibraryLogging.to(log);
        } else {
            LibraryLogging.to(System.err);
        }
        Clock clock = Clock.systemUTC();
        LocalStack stack;
        try {
            stack = LocalStack.start(env, clock);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        } catch (IOException | RuntimeException e) {
            System.err.println("Could not start the local stack: " + e.getMessage() + " (details in " + logFile + ")");
            System.exit(1);
            return;
        }
        List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
        Stop stop = new Stop(console, resources, stack);
        // SIGTERM and Ctrl-C stop the stack in order (the worker hands its calls off while the engines still run) and
        // exit 0. Left to the JVM, they would run every library's shutdown hook at once with ours (pekko's stops
        // ElasticMQ under the hand-offs) and exit 143.
        for (String signal : List.of("TERM", "INT")) {
            Signal.handle(new Signal(signal), s -> stop.thenExit());
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(stop::run)); // any other way out
        StateFiles files = StateFiles.write(stateDir, stack);
        printBanner(console, stack, verbose ? null : logFile, files);
        OutboundDemo.printHowTo(stack, console);
        stack.discord().ifPresent(discord -> resources.add(new DiscordEcho(discord, console)));
        if (stack.simulator().isPresent() && stack.worker().isPresent() && !env.bool("LOCAL_STACK_NO_DEMO", false)) {
            new DemoCall(stack, console, clock).run();
            console.println("local stack: demo finished; place another call with scripts/call.sh (Ctrl-C to stop)");
        }
        stop.awaitStopped();
    }

    /** Stops the stack once, whoever asks first (a signal, the JVM's shutdown); later callers wait for it. */
    private static final class Stop {
        private final PrintStream console;
        private final List<AutoCloseable> resources;
        private final LocalStack stack;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private boolean started;

        Stop(PrintStream console, List<AutoCloseable> resources, LocalStack stack) {
            this.console = console;
            this.resources = resources;
            this.stack = stack;
        }

        /** Stops on a thread of its own (a signal handler must not block), then exits 0. */
        void thenExit() {
            Thread.ofPlatform().name("local-stack-stop").start(() -> {
                run();
                System.exit(0);
            });
        }

        void run() {
            synchronized (this) {
                if (started) {
                    awaitStopped();
                    return;
                }
                started = true;
            }
            console.println("local stack: stopping (a worker first hands its calls to others)");
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // shutting down
                }
            }
            stack.close();
            console.println("local stack: stopped");
            // run.sh names the class-data archive; when there is none yet, the JVM writes it on its way out
            String archive = System.getProperty("local.stack.archive");
            if (archive != null && !Files.exists(Path.of(archive))) {
                console.println("local stack: writing " + archive + " for faster starts (once per build; the"
                        + " process exits when it is written, which takes a while on a busy machine)");
            }
            stopped.countDown();
        }

        void awaitStopped() {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void printBanner(PrintStream console, LocalStack stack, Path logFile, StateFiles files) {
        double startSeconds = (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1000.0;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "local stack: serving on port %d (started in %.1f s)%n", stack.port(), startSeconds));
        b.append("  webhook    POST ").append(stack.webhookUrl()).append('\n');
        b.append("  control    ").append(stack.baseUrl()).append("/control/calls  (Authorization: Bearer $CONTROL_API_TOKEN)\n");
        b.append("  console    ").append(stack.consoleLoginUrl()).append("  (one-time sign-in link; see infra/console/README.md)\n");
        stack.worker().ifPresentOrElse(
                w -> b.append("  health     http://127.0.0.1:").append(w.healthPort()).append("/health  (worker ")
                        .append(w.workerId()).append(")\n"),
                () -> b.append("  worker     none in this process (LOCAL_STACK_WORKER=false): start some with scripts/worker.sh\n"));
        stack.simulator().ifPresent(sim -> b.append("  simulator  ").append(sim.baseUrl()).append("  (OpenAI stand-in)\n"));
        b.append("  logs       ").append(logFile == null ? "this console (LOCAL_STACK_VERBOSE)" : logFile + "  (JSON lines)").append('\n');
        b.append("  secrets    ").append(files.credentials()).append("  (source it for the README's curl examples)\n");
        b.append("  workers    ").append(files.workerEnv()).append("  (what scripts/worker.sh gives a worker process)\n");
        if (stack.simulator().isPresent()) {
            b.append("  place a call:  scripts/call.sh [--from +1…] [--to +1…] [--scenario NAME] [--end-after SECONDS]\n");
        }
        console.print(b);
        console.flush();
    }

    /** The files other scripts read: generated credentials and a separate worker's environment, owner-only. */
    record StateFiles(Path credentials, Path workerEnv) {
        static StateFiles write(Path dir, LocalStack stack) throws IOException {
            Files.createDirectories(dir);
            Path credentials = dir.resolve("credentials.env");
            Path workerEnv = dir.resolve("worker.env");
            java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
            values.put("LOCAL_STACK_URL", stack.baseUrl().toString());
            values.put("CONTROL_API_TOKEN", stack.env().required("CONTROL_API_TOKEN"));
            values.put("OPENAI_WEBHOOK_SECRET", stack.env().required("OPENAI_WEBHOOK_SECRET"));
            stack.simulator().ifPresent(sim -> {
                values.put("SIMULATOR_URL", sim.baseUrl().toString());
                values.put("SIMULATOR_API_KEY", stack.env().required("OPENAI_API_KEY"));
            });
            ShellEnvFile.write(credentials, "Written by the local stack on start: its URL and generated secrets.", values);
            ShellEnvFile.write(workerEnv, "Written by the local stack on start: what a separate session worker needs"
                    + " to join it (scripts/worker.sh).", stack.workerEnvironment());
            return new StateFiles(credentials, workerEnv);
        }
    }
}
