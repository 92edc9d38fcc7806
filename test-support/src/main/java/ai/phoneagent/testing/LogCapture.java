package ai.phoneagent.testing;

import ai.phoneagent.logging.JsonLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures every JSON log line while open (still echoing it to the console when asked), so tests can assert on
 * what was logged, e.g. that no secret ever was. Closing restores standard output.
 */
public final class LogCapture implements AutoCloseable {
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    private LogCapture(boolean echo) {
        OutputStream target = echo ? new Tee(System.out, copy) : new Locked(copy);
        JsonLog.redirect(new PrintStream(target, true, StandardCharsets.UTF_8));
    }

    /** Captures and also prints to the console (helps when a test fails). */
    public static LogCapture echoing() {
        return new LogCapture(true);
    }

    /** Captures only. */
    public static LogCapture quiet() {
        return new LogCapture(false);
    }

    /** Everything logged so far. */
    public String text() {
        synchronized (copy) {
            return copy.toString(StandardCharsets.UTF_8);
        }
    }

    /** Forgets what was captured so far. */
    public void reset() {
        synchronized (copy) {
            copy.reset();
        }
    }

    @Override
    public void close() {
        JsonLog.redirect(System.out);
    }

    /** Writes to the buffer under its lock. */
    private static class Locked extends OutputStream {
        final ByteArrayOutputStream copy;

        Locked(ByteArrayOutputStream copy) {
            this.copy = copy;
        }

        @Override
        public void write(int b) {
            synchronized (copy) {
                copy.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (copy) {
                copy.write(b, off, len);
            }
        }
    }

    /** Writes to the buffer and to the console; console output is best effort. */
    private static final class Tee extends Locked {
        private final OutputStream console;

        Tee(OutputStream console, ByteArrayOutputStream copy) {
            super(copy);
            this.console = console;
        }

        @Override
        public void write(int b) {
            super.write(b);
            try {
                console.write(b);
            } catch (IOException ignored) {
                // best effort
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            try {
                console.write(b, off, len);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
