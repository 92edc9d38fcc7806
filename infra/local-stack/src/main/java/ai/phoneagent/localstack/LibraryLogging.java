package ai.phoneagent.localstack;

import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Where the libraries' own logs go in the local stack: java.util.logging (the simulator, sqlite4java) and, through the
 * SLF4J-to-JUL provider, SLF4J (ElasticMQ, the AWS SDK) write one line per record to the same stream as the JSON log:
 * the log file, or the console with {@code LOCAL_STACK_VERBOSE}. Nothing is dropped; it just stays off the console.
 */
final class LibraryLogging {
    private static final Logger ROOT = Logger.getLogger("");

    private LibraryLogging() {
    }

    static void to(PrintStream stream) {
        LogManager.getLogManager().reset();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    stream.print(getFormatter().format(record));
                }
            }

            @Override
            public void flush() {
                stream.flush();
            }

            @Override
            public void close() {
                flush();
            }
        };
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                String line = record.getInstant() + " " + record.getLevel() + " " + record.getLoggerName() + ": "
                        + formatMessage(record) + "\n";
                return record.getThrown() == null ? line : line + "  " + record.getThrown() + "\n";
            }
        });
        handler.setLevel(Level.INFO);
        ROOT.setLevel(Level.INFO);
        ROOT.addHandler(handler);
        // Bind SLF4J now, on this one thread: libraries that first log from several threads at once while it binds
        // get their calls replayed, and SLF4J prints a replay warning on stderr.
        org.slf4j.LoggerFactory.getILoggerFactory();
    }
}
