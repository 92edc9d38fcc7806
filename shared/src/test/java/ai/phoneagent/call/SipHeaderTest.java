package ai.phoneagent.call;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class SipHeaderTest {
    @Test
    void headersAreStoredExactlyAsTheMapperWritesTheRecordsAndReadBackAsThem() throws Exception {
        List<SipHeader> headers = List.of(new SipHeader("From", "<sip:+15550100@example.com>;tag=a\"b"),
                new SipHeader("X-Empty", ""), new SipHeader("X-Null", null), new SipHeader("to", "é ✓"));
        String stored = SipHeader.toJson(headers);
        assertThat(stored).isEqualTo(Json.write(headers));
        assertThat(List.of(Json.mapper().readValue(stored, SipHeader[].class))).isEqualTo(headers);
        assertThat(SipHeader.toJson(List.of())).isEqualTo("[]");
    }
}
