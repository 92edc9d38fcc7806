package ai.phoneagent.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The credentials file is read by a real shell exactly as written, and only its owner can read it. */
class ShellEnvFileTest {
    @Test
    void aShellSourcingTheFileGetsEveryValueVerbatimAndOnlyItsOwnerMayReadIt(@TempDir Path dir) throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("OPENAI_WEBHOOK_SECRET", "whsec_ab+/c=d$HOME`id`'\"x");
        values.put("LOCAL_STACK_URL", "http://127.0.0.1:3000");
        Path file = dir.resolve("credentials.env");

        ShellEnvFile.write(file, "test", values);

        Process shell = new ProcessBuilder("bash", "-c",
                "source \"$0\" && printf '%s\\n%s' \"$OPENAI_WEBHOOK_SECRET\" \"$LOCAL_STACK_URL\"", file.toString())
                .redirectErrorStream(true).start();
        String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shell.waitFor()).as(output).isZero();
        assertThat(output).isEqualTo(values.get("OPENAI_WEBHOOK_SECRET") + "\n" + values.get("LOCAL_STACK_URL"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}
