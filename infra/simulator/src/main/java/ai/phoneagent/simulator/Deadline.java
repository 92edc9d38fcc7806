package ai.phoneagent.simulator;

import java.time.Duration;

/** A point on the monotonic clock to wait until (never the injected wall clock, which tests may freeze). */
public record Deadline(long nanoTime) {
    /** The deadline {@code timeout} from now. */
    public static Deadline after(Duration timeout) {
        return new Deadline(System.nanoTime() + timeout.toNanos());
    }

    /** Milliseconds left, rounded up; 0 when passed. */
    public long remainingMillis() {
        long nanos = nanoTime - System.nanoTime();
        return nanos <= 0 ? 0 : Math.max(1, (nanos + 999_999) / 1_000_000);
    }

    /** Waits on {@code monitor} (whose lock the caller holds) until notified or the deadline; false once passed. */
    public boolean waitOn(Object monitor) throws InterruptedException {
        long millis = remainingMillis();
        if (millis == 0) {
            return false;
        }
        monitor.wait(millis);
        return true;
    }
}
