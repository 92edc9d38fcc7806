package ai.phoneagent.localstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** A file of {@code export NAME='value'} lines that a shell can {@code source}, readable by its owner only. */
final class ShellEnvFile {
    private ShellEnvFile() {
    }

    static void write(Path file, String comment, Map<String, String> values) throws IOException {
        StringBuilder text = new StringBuilder("# ").append(comment).append('\n');
        values.forEach((name, value) -> text.append("export ").append(name).append('=').append(quote(value)).append('\n'));
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Single-quoted for POSIX shells: nothing inside is expanded. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
