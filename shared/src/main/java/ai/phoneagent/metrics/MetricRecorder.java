package ai.phoneagent.metrics;

import java.util.List;

/**
 * Where measurements go: EMF lines on standard output ({@link EmfWriter}). Recording never throws and never blocks on
 * anything but the log stream.
 */
public interface MetricRecorder {

    /** Records measurements taken together; an implementation may write them as one line. */
    void record(List<Measurement> measurements);

    default void record(Measurement... measurements) {
        record(List.of(measurements));
    }

    /**
     * Records through the recorder {@code pending} supplies, asked for at the first measurement rather than now: a
     * Lambda's second thread may still be building it while the handler is built ({@code ColdStart}), and the first
     * request records its measurements last. Should {@code pending} fail, measurements go to {@link EmfWriter#toLogStream()}.
     */
    static MetricRecorder whenReady(java.util.function.Supplier<? extends MetricRecorder> pending) {
        return measurements -> {
            MetricRecorder ready;
            try {
                ready = pending.get();
            } catch (RuntimeException e) {
                ready = EmfWriter.toLogStream();
            }
            ready.record(measurements);
        };
    }

    /** Records nothing (offline priming, tests that do not look). */
    static MetricRecorder none() {
        return measurements -> { };
    }
}
