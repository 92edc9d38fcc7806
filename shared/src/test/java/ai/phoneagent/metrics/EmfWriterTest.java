package ai.phoneagent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmfWriterTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final EmfWriter writer = new EmfWriter(() -> new PrintStream(out, true, StandardCharsets.UTF_8),
            Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(Json.parse(line));
            }
        }
        return lines;
    }

    @Test
    void measurementsWhoseDimensionValuesAgreeShareOneLineWithADirectiveEach() throws Exception {
        writer.record(
                Measurement.of(Metric.GREETING_WAIT, 120).with(Dimension.CALL_DIRECTION, "inbound").property("call_id", "rtc_1"),
                Measurement.of(Metric.QUEUE_WAIT, 40).with(Dimension.CALL_DIRECTION, "inbound").property("call_id", "rtc_1"));
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(1);
        JsonNode line = lines.getFirst();
        assertThat(line.at("/_aws/Timestamp").asLong()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z").toEpochMilli());
        assertThat(line.at("/_aws/CloudWatchMetrics")).hasSize(2);
        assertThat(line.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("PhoneAgent");
        assertThat(line.at("/_aws/CloudWatchMetrics/0/Dimensions").toString()).isEqualTo("[[\"Service\"],[\"Service\",\"CallDirection\"]]");
        assertThat(line.at("/_aws/CloudWatchMetrics/1/Metrics/0/Name").asText()).isEqualTo("QueueWait");
        assertThat(line.at("/_aws/CloudWatchMetrics/1/Metrics/0/Unit").asText()).isEqualTo("Milliseconds");
        assertThat(line.get("Service").asText()).isEqualTo("worker");
        assertThat(line.get("GreetingWait").asDouble()).isEqualTo(120);
        assertThat(line.get("QueueWait").asDouble()).isEqualTo(40);
        assertThat(line.get("call_id").asText()).isEqualTo("rtc_1");
    }

    @Test
    void clashingDimensionValuesOrPropertiesOrTheSameMetricTwiceGoOnSeparateLines() throws Exception {
        writer.record(
                Measurement.one(Metric.CALLS_ENDED).with(Dimension.CALL_DIRECTION, "inbound").with(Dimension.REASON, "caller_hangup"),
                Measurement.one(Metric.HANDOFFS).with(Dimension.REASON, "handoff"),
                Measurement.one(Metric.TURNS_STORED).property("call_id", "a"),
                Measurement.one(Metric.TURNS_STORED).property("call_id", "b"));
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0).get("Reason").asText()).isEqualTo("caller_hangup");
        assertThat(lines.get(0).has("call_id")).as("a property belongs to its own values only").isFalse();
        assertThat(lines.get(1).get("Reason").asText()).isEqualTo("handoff");
        assertThat(lines.get(2).get("call_id").asText()).isEqualTo("a");
        assertThat(lines.get(3).get("call_id").asText()).isEqualTo("b");
    }

    @Test
    void aPropertyNamedLikeADimensionOrAValueNeverHidesItAndNoFieldIsWrittenTwice() throws Exception {
        writer.record(Measurement.of(Metric.GREETING_WAIT, 120).with(Dimension.CALL_DIRECTION, "inbound")
                .property("CallDirection", "sideways").property("GreetingWait", "slow").property("Service", "other")
                .property("call_id", "rtc_1"));
        String text = out.toString(StandardCharsets.UTF_8).strip();
        JsonNode line = new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(text);
        assertThat(line.get("CallDirection").asText()).isEqualTo("inbound");
        assertThat(line.get("GreetingWait").asDouble()).isEqualTo(120);
        assertThat(line.get("Service").asText()).isEqualTo("worker");
        assertThat(line.get("call_id").asText()).isEqualTo("rtc_1");
    }

    @Test
    void aMeasurementMissingADeclaredDimensionIsDroppedNotWritten() throws Exception {
        writer.record(Measurement.one(Metric.TOOL_CALLS).with(Dimension.TOOL, "end_call"),
                Measurement.one(Metric.FAILOVERS).with(Dimension.REASON, "sweep").with(Dimension.TOOL, "x"),
                Measurement.of(Metric.TOOL_LATENCY, Double.NaN).with(Dimension.TOOL, "end_call"));
        assertThat(lines()).isEmpty();
    }

    @Test
    void dimensionValuesAreBoundedCodes() {
        assertThat(Dimension.normalise("Invalid Signature!")).isEqualTo("invalid_signature_");
        assertThat(Dimension.normalise(null)).isEqualTo("none");
        assertThat(Dimension.normalise("x".repeat(500))).hasSize(64);
        assertThat(Measurement.one(Metric.HANDOFFS).with(Dimension.REASON, "Attach Unauthorized").dimensions())
                .containsEntry(Dimension.REASON, "attach_unauthorized");
    }

    @Test
    void everyMetricNameIsUniqueAndEveryDimensionSetStartsWithService() {
        assertThat(java.util.Arrays.stream(Metric.values()).map(Metric::metricName).distinct().count())
                .isEqualTo(Metric.values().length);
        for (Metric metric : Metric.values()) {
            assertThat(metric.dimensionSets()).allSatisfy(set -> assertThat(set.getFirst()).isEqualTo("Service"));
            assertThat(Metric.named(metric.metricName())).contains(metric);
        }
    }
}
