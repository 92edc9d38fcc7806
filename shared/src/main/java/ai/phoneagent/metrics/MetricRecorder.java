package ai.phoneagent.metrics;

import java.util.List;

/**
 * Where measurements go: EMF lines on standard output ({@link EmfWriter} in the worker and the local stack,
 * Powertools in the Lambdas). Recording never throws and never blocks on anything but the log stream.
 */
public interface MetricRecorder {

    /** Records measurements taken together; an implementation may write them as one line. */
    void record(List<Measurement> measurements);

    default void record(Measurement... measurements) {
        record(List.of(measurements));
    }

    /** Records nothing (offline priming, tests that do not look). */
    static MetricRecorder none() {
        return measurements -> { };
    }
}
