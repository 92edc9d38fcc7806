package ai.phoneagent.worker.discord;

import java.time.Duration;

/** Where transcript lines and call notices go for people to watch live. Never blocks the caller. */
public interface DiscordSink extends AutoCloseable {
    /** Queues a line about a call; returns at once (the line may be dropped when the buffer is full). */
    void post(String callId, String text);

    /** Waits up to {@code timeout} for queued lines to be delivered; true when nothing is left. */
    boolean flush(Duration timeout);

    /** Lines given up on so far (buffer full, or retries exhausted). */
    long dropped();

    @Override
    void close();

    /** A sink that discards everything (Discord not configured). */
    static DiscordSink none() {
        return new DiscordSink() {
            @Override
            public void post(String callId, String text) {
            }

            @Override
            public boolean flush(Duration timeout) {
                return true;
            }

            @Override
            public long dropped() {
                return 0;
            }

            @Override
            public void close() {
            }
        };
    }
}
