package ai.phoneagent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The line format: one JSON object per line, written as it streams, each field once. */
class JsonLogTest {
    private static final String TRACE = "cccccccccccccccccccccccccccccc03";
    private static final JsonLog LOG = JsonLog.forComponent("test");
    /** A parser that refuses a field named twice in one object, which a tree never shows. */
    private static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    @RegisterExtension
    final CapturedLog log = new CapturedLog();

    record Leg(String number, Integer seconds) {
    }

    private JsonNode only() throws Exception {
        List<String> lines = log.lines();
        assertThat(lines).hasSize(1);
        return STRICT.readTree(lines.getFirst());
    }

    @Test
    void everyKindOfValueIsWrittenAsTheMappersTreeOfIt() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("text", "a \"quoted\"\nline");
        fields.put("int", 7);
        fields.put("long", 12_345_678_901L);
        fields.put("double", 0.25);
        fields.put("flag", true);
        fields.put("nothing", null);
        fields.put("tree", Json.object().put("k", "v"));
        fields.put("record", new Leg("+15550100", null));
        LOG.warn("values", fields);
        JsonNode line = only();
        assertThat(line.path("level").asText()).isEqualTo("WARN");
        assertThat(line.path("component").asText()).isEqualTo("test");
        assertThat(line.path("msg").asText()).isEqualTo("values");
        assertThat(line.path("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            assertThat(line.get(field.getKey())).as(field.getKey()).isEqualTo(Json.mapper().valueToTree(field.getValue()));
        }
        assertThat(line.path("record").has("seconds")).as("nulls left out, as the mapper writes objects").isFalse();
    }

    @Test
    void aCallersFieldNamedLikeAHeaderIsWrittenOnceWithTheCallersValue() throws Exception {
        LogContext.ofCall("rtc_a", TRACE).run(() -> LOG.info("greeted",
                Map.of("call_id", "rtc_a", "trace_id", "given", "component", "mine", "latency_ms", 12)));
        JsonNode line = only();
        assertThat(line.path("call_id").asText()).isEqualTo("rtc_a");
        assertThat(line.path("trace_id").asText()).isEqualTo("given");
        assertThat(line.path("component").asText()).isEqualTo("mine");
        assertThat(line.path("latency_ms").asInt()).isEqualTo(12);
        assertThat(line.size()).isEqualTo(7);
    }
}
