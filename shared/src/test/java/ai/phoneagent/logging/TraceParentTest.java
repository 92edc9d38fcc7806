package ai.phoneagent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceParentTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void readsTheTraceIdOfAValidHeader() {
        assertThat(TraceParent.traceId("00-" + TRACE + "-00f067aa0ba902b7-01")).contains(TRACE);
        assertThat(TraceParent.traceId("00-" + TRACE + "-00f067aa0ba902b7-00")).as("not sampled").contains(TRACE);
        assertThat(TraceParent.traceId("01-" + TRACE + "-00f067aa0ba902b7-01-future-field"))
                .as("a later version may append fields").contains(TRACE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "garbage",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // uppercase
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero parent id
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // trace id too short
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01", // parent id too short
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // forbidden version
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has four fields
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
            "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
    void refusesAnInvalidHeader(String header) {
        assertThat(TraceParent.traceId(header)).isEmpty();
    }

    @Test
    void findsTheHeaderWhateverItsCaseAndIgnoresAMissingOne() {
        assertThat(TraceParent.traceId(Map.of("TraceParent", "00-" + TRACE + "-00f067aa0ba902b7-01"))).contains(TRACE);
        assertThat(TraceParent.traceId(Map.of("webhook-id", "msg_1"))).isEmpty();
        assertThat(TraceParent.traceId((String) null)).isEmpty();
        assertThat(TraceParent.traceId("00-" + TRACE + "-00f067aa0ba902b7-01".repeat(40))).isEmpty();
    }

    @Test
    void writesAHeaderThatReadsBackWithAFreshParentEachTime() {
        String first = TraceParent.header(TRACE);
        String second = TraceParent.header(TRACE);
        assertThat(first).matches("00-" + TRACE + "-[0-9a-f]{16}-01");
        assertThat(first).isNotEqualTo(second);
        assertThat(TraceParent.traceId(first)).contains(TRACE);
    }

    @Test
    void mintsValidDistinctTraceIds() {
        String a = TraceParent.newTraceId();
        assertThat(TraceParent.isValidTraceId(a)).isTrue();
        assertThat(a).isNotEqualTo(TraceParent.newTraceId());
        assertThat(TraceParent.isValidTraceId("not-a-trace")).isFalse();
        assertThat(TraceParent.isValidTraceId(null)).isFalse();
    }
}
