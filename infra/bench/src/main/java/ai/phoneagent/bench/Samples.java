package ai.phoneagent.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Latency samples in milliseconds with nearest-rank percentiles. */
final class Samples {
    private final List<Double> values = new ArrayList<>();

    synchronized void add(double millis) {
        values.add(millis);
    }

    synchronized int size() {
        return values.size();
    }

    synchronized double percentile(double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    Map<String, Object> summary() {
        Map<String, Object> m = new TreeMap<>();
        m.put("n", size());
        m.put("p50", round(percentile(50)));
        m.put("p95", round(percentile(95)));
        m.put("p99", round(percentile(99)));
        m.put("max", round(percentile(100)));
        return m;
    }

    static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 10) / 10.0;
    }
}
