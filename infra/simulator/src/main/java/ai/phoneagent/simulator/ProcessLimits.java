package ai.phoneagent.simulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A process's open-file limit and use, from Linux's {@code /proc}: every live call is one socket in the simulator and
 * one in the worker, so thousands of calls need a limit of thousands (the JVM raises its soft limit to the hard
 * limit at start; the hard limit comes from {@code ulimit -Hn} of the shell that started it). Elsewhere than Linux
 * the figures are unknown and nothing is checked.
 */
public final class ProcessLimits {
    /** Descriptors a JVM uses besides the calls' sockets (jars, logs, AWS and HTTP connections, epoll). */
    public static final int HEADROOM = 256;

    private ProcessLimits() {
    }

    /** The soft limit on open files of process {@code pid}; empty when unknown or unlimited. */
    public static OptionalLong openFilesLimit(long pid) {
        return openFilesLimit(Path.of("/proc", Long.toString(pid), "limits"));
    }

    static OptionalLong openFilesLimit(Path limits) {
        try (Stream<String> lines = Files.lines(limits)) {
            return lines.filter(l -> l.startsWith("Max open files")).findFirst()
                    .map(l -> l.substring("Max open files".length()).trim().split("\\s+")[0])
                    .filter(v -> v.chars().allMatch(Character::isDigit))
                    .map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** Descriptors process {@code pid} has open now; -1 when unknown. */
    public static long openFiles(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Threads of process {@code pid} (platform threads; virtual threads are not OS threads); -1 when unknown. */
    public static long threads(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
            return lines.filter(l -> l.startsWith("Threads:")).findFirst()
                    .map(l -> Long.parseLong(l.substring("Threads:".length()).trim())).orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Says {@code who}'s limit and whether {@code sockets} more fit under it; throws with what to do when they do not,
     * rather than letting accepts fail with "Too many open files" half-way through a run.
     */
    public static void requireOpenFiles(long pid, String who, int sockets, Consumer<String> say) {
        OptionalLong limit = openFilesLimit(pid);
        long open = openFiles(pid);
        if (limit.isEmpty()) {
            say.accept("open files: " + who + " limit unknown (not Linux?), " + sockets + " sockets needed");
            return;
        }
        long needed = Math.max(0, open) + sockets + HEADROOM;
        say.accept("open files: " + who + " has " + open + " of its limit " + limit.getAsLong() + "; " + sockets
                + " more sockets need about " + needed);
        if (needed > limit.getAsLong()) {
            throw new IllegalStateException(who + " would run out of file descriptors: " + sockets + " sockets need about "
                    + needed + " but its limit is " + limit.getAsLong() + ". Raise it in the shell that starts it"
                    + " (ulimit -n " + needed + "; the hard limit, ulimit -Hn, caps it) or use fewer calls.");
        }
    }
}
