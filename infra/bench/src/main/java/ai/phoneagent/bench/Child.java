package ai.phoneagent.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM the bench started: its output goes to a log file, its first line matching a prefix is awaited, its CPU time
 * is read from the OS ({@code /proc}) and it is stopped by closing its standard input, then SIGTERM, then SIGKILL.
 */
final class Child implements AutoCloseable {
    final String name;
    final Process process;
    final long startedNanos;
    private final CompletableFuture<String> marker = new CompletableFuture<>();

    private Child(String name, Process process, long startedNanos, String markerPrefix, Path log) {
        this.name = name;
        this.process = process;
        this.startedNanos = startedNanos;
        Thread.ofPlatform().daemon().name(name + "-out").start(() -> pump(markerPrefix, log));
    }

    static Child start(String name, List<String> command, Map<String, String> env, String markerPrefix, Path logDir) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        try {
            Files.createDirectories(logDir);
            long started = System.nanoTime();
            Process process = builder.start();
            return new Child(name, process, started, markerPrefix, logDir.resolve(name + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    private void pump(String markerPrefix, Path log) {
        try (var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
             BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!marker.isDone() && markerPrefix != null && line.startsWith(markerPrefix)) {
                    marker.complete(line);
                }
                out.write(line);
                out.newLine();
                out.flush(); // a grandchild (the AOT cache assembler) may hold the pipe open past this process
            }
        } catch (IOException ignored) {
            // the child went away
        }
        marker.completeExceptionally(new IllegalStateException(name + " exited before printing its ready line; see its log"));
    }

    /** The marker line, waiting up to {@code timeout}; the time it arrived is {@link #markerNanos}. */
    String awaitMarker(Duration timeout) {
        try {
            return marker.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    /** CPU time (user + system) the process used so far, in milliseconds. */
    long cpuMillis() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
    }

    /**
     * CPU milliseconds (user + system) of this JVM's JIT compiler threads ({@code C1/C2 CompilerThread*}), summed over
     * {@code /proc/<pid>/task}. Only threads alive now are counted, so the JVMs run with
     * {@code -XX:-UseDynamicNumberOfCompilerThreads} (compiler threads never exit); -1 where {@code /proc} is missing.
     */
    long compilerCpuMillis() {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    // the fields after the ")" that closes the thread name start at field 3; utime is 14, stime 15
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while being read
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
    }

    /** {@code getconf CLK_TCK}: 100 on every Linux this runs on. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    long pid() {
        return process.pid();
    }

    boolean await(Predicate<Child> condition, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.test(this)) {
                return true;
            }
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** SIGTERM and wait (the worker hands off; an AOT training run writes its cache at exit). */
    void terminate(Duration timeout) {
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** Closes stdin, then SIGTERM, waiting up to {@code timeout} (an AOT training run assembles its cache at exit). */
    void close(Duration timeout) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        if (process.isAlive()) {
            terminate(timeout);
        }
    }
}
