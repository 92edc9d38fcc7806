package ai.phoneagent.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
