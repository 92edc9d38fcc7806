package ai.phoneagent.logging;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Every JSON log line written during a test, in memory ({@code @RegisterExtension}); the stream is put back after. */
final class CapturedLog implements BeforeEachCallback, AfterEachCallback {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream before;

    @Override
    public void beforeEach(ExtensionContext context) {
        captured.reset();
        before = JsonLog.current();
        JsonLog.redirect(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        JsonLog.redirect(before);
    }

    /** The lines written so far. */
    List<String> lines() {
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
