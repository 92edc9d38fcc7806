package ai.phoneagent.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.json.Json;
import org.junit.jupiter.api.Test;

class ControlMessageTest {
    @Test
    void roundTripsTheContractShape() {
        var message = new ControlMessage("cmd_1", CommandType.INSTRUCTIONS, Json.object().put("text", "Be brief"), 5L,
                "4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(ControlMessage.parse(message.toJson())).isEqualTo(message);
        assertThat(message.toJson()).contains("\"type\":\"instructions\"")
                .contains("\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\"");
    }

    @Test
    void carriesTheRequestsTraceOfTheCallAndReadsOlderMessagesWithout() {
        Command command = Command.pending("rtc_1", "cmd_1", CommandType.HANGUP, Json.object(), null,
                java.time.Instant.EPOCH);
        assertThat(command.message().traceId()).isNull();
        ai.phoneagent.logging.LogContext.ofCall("rtc_1", "4bf92f3577b34da6a3ce929d0e0e4736").run(() ->
                assertThat(command.message().traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736"));
        ai.phoneagent.logging.LogContext.ofCall("rtc_other", "4bf92f3577b34da6a3ce929d0e0e4736").run(() ->
                assertThat(command.message().traceId()).as("another call's trace").isNull());
        assertThat(ControlMessage.parse("{\"commandId\":\"c1\",\"type\":\"hangup\"}").traceId()).isNull();
        assertThat(ControlMessage.parse("{\"commandId\":\"c1\",\"type\":\"hangup\",\"traceId\":\"XYZ\"}").traceId())
                .as("a malformed trace id is dropped, the command kept").isNull();
    }

    @Test
    void rejectsUnknownTypesAndBadIds() {
        assertThatThrownBy(() -> ControlMessage.parse("{\"commandId\":\"c1\",\"type\":\"dial\"}"))
                .hasMessage("type must be hangup, transfer or instructions");
        assertThatThrownBy(() -> ControlMessage.parse("{\"commandId\":\"a b\",\"type\":\"hangup\"}"))
                .hasMessage("commandId is missing or malformed");
        assertThatThrownBy(() -> ControlMessage.parse("{\"commandId\":\"c1\",\"type\":\"hangup\",\"args\":[1]}"))
                .hasMessage("args must be an object");
    }
}
