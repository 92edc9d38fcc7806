package ai.phoneagent.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void aValueIsWrittenAsTheMapperWouldWriteIt() throws Exception {
        List<Object> values = Arrays.asList("text", "", 7, -7L, Long.MAX_VALUE, true, false, 1.5, null,
                Map.of("a", 1), List.of("x", 2), Json.object().put("k", "v"), 2.5f);
        for (Object value : values) {
            assertThat(Json.stream(out -> Json.writeValue(out, value))).as(String.valueOf(value))
                    .isEqualTo(Json.mapper().writeValueAsString(value));
        }
    }
}
