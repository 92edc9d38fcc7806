package ai.phoneagent.metrics;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes measurements as CloudWatch embedded-metric-format lines: one JSON object per line whose {@code _aws}
 * member declares the namespace, dimension sets and metrics, with the values, dimension values and properties at
 * the root. Measurements recorded together share a line when their dimension values agree (one directive per
 * metric) and their properties are the same, so a call's greeting costs one line. Lines go to the log stream ({@link JsonLog}'s
 * by default), so the local stack's log file and the tests see them where they see the logs.
 */
public final class EmfWriter implements MetricRecorder {
    private static final JsonLog LOG = JsonLog.forComponent("metrics");
    /** The worker's recorder, writing where {@link JsonLog} writes. */
    private static final EmfWriter LOG_STREAM = new EmfWriter(JsonLog::current, Clock.systemUTC());

    private final Supplier<PrintStream> out;
    private final Clock clock;

    public EmfWriter(Supplier<PrintStream> out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** Writes where the JSON logs go (see {@link JsonLog#redirect}). */
    public static EmfWriter toLogStream() {
        return LOG_STREAM;
    }

    /**
     * {@link #toLogStream()}, after writing a few lines to a discarded stream: the EMF path's classes (streaming JSON
     * writing) are loaded and run once at a Lambda's initialisation (on its second thread, before a SnapStart
     * snapshot), not on a caller's first request. Nothing reaches the log.
     */
    public static EmfWriter primedForLogStream() {
        PrintStream discard = new PrintStream(java.io.OutputStream.nullOutputStream());
        EmfWriter primer = new EmfWriter(() -> discard, Clock.systemUTC());
        Measurement sample = Measurement.of(Metric.COMMAND_LATENCY, 1)
                .with(Dimension.COMMAND_TYPE, "prime").with(Dimension.OUTCOME, "prime").property("call_id", "prime");
        for (int i = 0; i < 20; i++) {
            primer.record(List.of(sample));
        }
        return LOG_STREAM;
    }

    @Override
    public void record(List<Measurement> measurements) {
        try {
            for (String line : lines(measurements, clock.millis())) {
                out.get().println(line);
            }
        } catch (RuntimeException e) {
            // a metric must never break the work it measures
            LOG.warn("metrics not written", Map.of("error", JsonLog.describe(e)));
        }
    }

    /**
     * The EMF documents for {@code measurements}: grouped into as few lines as their dimension values allow (a
     * metric appears at most once per line), each written by a streaming generator. An invalid measurement is left out
     * and logged.
     */
    static List<String> lines(List<Measurement> measurements, long timestampMillis) {
        List<Group> groups = new ArrayList<>();
        for (Measurement m : measurements) {
            String problem = m.problem();
            if (problem != null) {
                LOG.warn("metric dropped", Map.of("why", problem));
                continue;
            }
            Group home = null;
            for (Group g : groups) {
                if (g.fits(m)) {
                    home = g;
                    break;
                }
            }
            if (home == null) {
                home = new Group();
                groups.add(home);
            }
            home.add(m);
        }
        List<String> lines = new ArrayList<>(groups.size());
        for (Group g : groups) {
            lines.add(Json.stream(line -> g.writeEmf(line, timestampMillis)));
        }
        return lines;
    }

    /** Measurements that can share one EMF document: dimension values agree, properties are equal, no metric twice. */
    private static final class Group {
        final Map<String, String> dimensionValues = new LinkedHashMap<>();
        final List<Measurement> members = new ArrayList<>();
        final Map<String, Object> properties = new LinkedHashMap<>();

        boolean fits(Measurement m) {
            if (!m.metric().source().value().equals(dimensionValues.getOrDefault(Dimension.SERVICE, m.metric().source().value()))) {
                return false;
            }
            for (Measurement member : members) {
                if (member.metric() == m.metric()) {
                    return false;
                }
            }
            for (var e : m.dimensions().entrySet()) {
                String held = dimensionValues.get(e.getKey().key());
                if (held != null && !held.equals(e.getValue())) {
                    return false;
                }
            }
            // a property describes every value on its line: share one only with the same properties
            return members.isEmpty() || properties.equals(m.properties());
        }

        void add(Measurement m) {
            dimensionValues.put(Dimension.SERVICE, m.metric().source().value());
            m.dimensions().forEach((d, v) -> dimensionValues.put(d.key(), v));
            properties.putAll(m.properties());
            members.add(m);
        }

        /** The EMF document: the directives, then the dimension values, the values, and the properties not named so. */
        void writeEmf(JsonGenerator line, long timestampMillis) throws IOException {
            line.writeStartObject();
            line.writeObjectFieldStart("_aws");
            line.writeNumberField("Timestamp", timestampMillis);
            line.writeArrayFieldStart("CloudWatchMetrics");
            for (Measurement m : members) {
                line.writeStartObject();
                line.writeStringField("Namespace", Metric.NAMESPACE);
                line.writeArrayFieldStart("Dimensions");
                for (List<String> set : m.metric().dimensionSets()) {
                    line.writeStartArray();
                    for (String key : set) {
                        line.writeString(key);
                    }
                    line.writeEndArray();
                }
                line.writeEndArray();
                line.writeArrayFieldStart("Metrics");
                line.writeStartObject();
                line.writeStringField("Name", m.metric().metricName());
                line.writeStringField("Unit", m.metric().unit().cloudWatchName());
                line.writeEndObject();
                line.writeEndArray();
                line.writeEndObject();
            }
            line.writeEndArray();
            line.writeEndObject();
            Set<String> written = new HashSet<>();
            written.add("_aws");
            for (Map.Entry<String, String> dimension : dimensionValues.entrySet()) {
                written.add(dimension.getKey());
                line.writeStringField(dimension.getKey(), dimension.getValue());
            }
            for (Measurement m : members) {
                if (written.add(m.metric().metricName())) {
                    line.writeNumberField(m.metric().metricName(), m.value());
                }
            }
            for (Map.Entry<String, Object> property : properties.entrySet()) {
                if (written.add(property.getKey())) { // a property never hides a dimension or a value of the line
                    line.writeFieldName(property.getKey());
                    Json.writeValue(line, property.getValue());
                }
            }
            line.writeEndObject();
        }
    }
}
