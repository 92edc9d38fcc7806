package ai.phoneagent.control.commands;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * How a control request waits for the worker: polls with growing pauses until a deadline. Time comes from a
 * monotonic source and pauses from a {@link Pauser}, both replaceable in tests.
 */
public final class AckWait {
    /** Parks the thread (tests can advance a fake clock instead). */
    @FunctionalInterface
    public interface Pauser {
        void pause(Duration duration);
    }

    static final Duration FIRST_PAUSE = Duration.ofMillis(20);
    static final Duration MAX_PAUSE = Duration.ofMillis(250);

    private final LongSupplier nanoTime;
    private final Pauser pauser;

    public AckWait(LongSupplier nanoTime, Pauser pauser) {
        this.nanoTime = nanoTime;
        this.pauser = pauser;
    }

    /** Real time, parking the thread. */
    public static AckWait system() {
        return new AckWait(System::nanoTime, d -> LockSupport.parkNanos(d.toNanos()));
    }

    /** Polls {@code done} until it is true or {@code timeout} passes; true when it became true. */
    public boolean until(Duration timeout, java.util.function.BooleanSupplier done) {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        Duration pause = FIRST_PAUSE;
        while (true) {
            long left = deadline - nanoTime.getAsLong();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            pauser.pause(Duration.ofNanos(Math.min(pause.toNanos(), left)));
            if (done.getAsBoolean()) {
                return true;
            }
            pause = Duration.ofNanos(Math.min(MAX_PAUSE.toNanos(), pause.toNanos() * 3 / 2));
        }
    }
}
