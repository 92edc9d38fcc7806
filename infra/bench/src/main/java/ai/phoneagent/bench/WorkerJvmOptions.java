package ai.phoneagent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM options the worker runs with: {@code infra/worker-container/worker-jvm.options}, the argument file the
 * image's entry point passes to {@code java} ({@code @/app/worker-jvm.options}), so the bench's worker, its start
 * figures and the image's AOT training all run as deployed.
 */
final class WorkerJvmOptions {
    static final Path IN_REPOSITORY = Path.of("infra/worker-container/worker-jvm.options");

    private WorkerJvmOptions() {
    }

    /** The options in {@code file}: whitespace-separated, as the launcher reads an argument file without quotes. */
    static List<String> read(Path file) throws IOException {
        return Arrays.stream(Files.readString(file).trim().split("\\s+")).filter(option -> !option.isEmpty()).toList();
    }
}
