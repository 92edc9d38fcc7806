package ai.phoneagent.metrics;

/** The part that emits a metric: the value of the {@code Service} dimension every metric carries. */
public enum MetricSource {
    WEBHOOK("webhook"),
    CONTROL("control"),
    WORKER("worker");

    private final String value;

    MetricSource(String value) {
        this.value = value;
    }

    /** The {@code Service} dimension's value. */
    public String value() {
        return value;
    }
}
