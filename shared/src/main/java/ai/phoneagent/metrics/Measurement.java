package ai.phoneagent.metrics;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One value of one {@link Metric}, with its dimensions' values and optional properties (searchable in Logs
 * Insights, never a dimension: a call id goes here). Immutable; {@link #with} and {@link #property} return copies.
 *
 * <pre>{@code Measurement.of(Metric.GREETING_WAIT, ms).with(Dimension.CALL_DIRECTION, "inbound").property("call_id", id)}</pre>
 */
public record Measurement(Metric metric, double value, Map<Dimension, String> dimensions, Map<String, Object> properties) {

    public Measurement {
        EnumMap<Dimension, String> dims = new EnumMap<>(Dimension.class);
        dimensions.forEach((d, v) -> dims.put(d, Dimension.normalise(v)));
        dimensions = Collections.unmodifiableMap(dims);
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** A value without dimensions or properties yet. */
    public static Measurement of(Metric metric, double value) {
        return new Measurement(metric, value, Map.of(), Map.of());
    }

    /** A count of one. */
    public static Measurement one(Metric metric) {
        return of(metric, 1);
    }

    /** A copy with {@code dimension} set to {@code value} (normalised, see {@link Dimension#normalise}). */
    public Measurement with(Dimension dimension, String value) {
        EnumMap<Dimension, String> dims = new EnumMap<>(Dimension.class);
        dims.putAll(dimensions);
        dims.put(dimension, value);
        return new Measurement(metric, this.value, dims, properties);
    }

    /** A copy with a property (a string or number; never a secret). */
    public Measurement property(String key, Object value) {
        LinkedHashMap<String, Object> props = new LinkedHashMap<>(properties);
        props.put(key, value);
        return new Measurement(metric, this.value, dimensions, props);
    }

    /** Why this measurement cannot be emitted as declared, or null when it can. */
    public String problem() {
        if (!dimensions.keySet().equals(java.util.Set.copyOf(metric.dimensions()))) {
            return metric.metricName() + " needs dimensions " + metric.dimensions() + ", got " + dimensions.keySet();
        }
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return metric.metricName() + " value is not a number";
        }
        return null;
    }
}
