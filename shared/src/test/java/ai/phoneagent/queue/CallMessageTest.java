package ai.phoneagent.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.logging.LogContext;
import org.junit.jupiter.api.Test;

class CallMessageTest {
    @Test
    void roundTripsTheContractShape() {
        CallMessage message = new CallMessage("rtc_1", "msg_1", 1_700_000_000_000L, CallMessage.Reason.INCOMING);
        assertThat(message.toJson())
                .isEqualTo("{\"callId\":\"rtc_1\",\"webhookId\":\"msg_1\",\"acceptedAt\":1700000000000,\"reason\":\"incoming\"}");
        assertThat(CallMessage.parse(message.toJson())).isEqualTo(message);
    }

    @Test
    void carriesTheTraceOfTheWorkAboutThisCallOnly() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        CallMessage traced = LogContext.ofCall("rtc_1", trace).get(() ->
                new CallMessage("rtc_1", "msg_1", 5L, CallMessage.Reason.ORPHANED));
        assertThat(traced.traceId()).isEqualTo(trace);
        assertThat(traced.toJson()).endsWith(",\"traceId\":\"" + trace + "\"}");
        assertThat(CallMessage.parse(traced.toJson())).isEqualTo(traced);
        CallMessage other = LogContext.ofCall("rtc_2", trace).get(() ->
                new CallMessage("rtc_1", "msg_1", 5L, CallMessage.Reason.ORPHANED));
        assertThat(other.traceId()).as("work about another call lends it no trace").isNull();
    }

    @Test
    void readsMessagesWithoutATraceAndDropsAMalformedOne() {
        assertThat(CallMessage.parse("{\"callId\":\"rtc_1\"}").traceId()).isNull();
        assertThat(CallMessage.parse("{\"callId\":\"rtc_1\",\"traceId\":\"" + "0".repeat(32) + "\"}").traceId())
                .isNull();
        assertThat(CallMessage.parse("{\"callId\":\"rtc_1\",\"traceId\":42}").traceId()).isNull();
    }

    @Test
    void rejectsBadMessagesWithPreciseReasons() {
        assertThatThrownBy(() -> CallMessage.parse("nope")).hasMessage("body is not JSON");
        assertThatThrownBy(() -> CallMessage.parse("[]")).hasMessage("body is not a JSON object");
        assertThatThrownBy(() -> CallMessage.parse("{\"callId\":\"../x\"}")).hasMessage("callId is missing or malformed");
        assertThatThrownBy(() -> CallMessage.parse("{\"callId\":\"rtc_1\",\"reason\":\"vacation\"}"))
                .hasMessage("reason must be incoming, outbound, handoff or orphaned");
        assertThatThrownBy(() -> CallMessage.parse("{\"callId\":\"rtc_1\",\"acceptedAt\":\"soon\"}"))
                .hasMessage("acceptedAt must be epoch milliseconds");
    }
}
