package ai.phoneagent.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.json.Json;
import org.junit.jupiter.api.Test;

class ControlMessageTest {
    @Test
    void roundTripsTheContractShape() {
        var message = new ControlMessage("cmd_1", CommandType.INSTRUCTIONS, Json.object().put("text", "Be brief"), 5L);
        assertThat(ControlMessage.parse(message.toJson())).isEqualTo(message);
        assertThat(message.toJson()).contains("\"type\":\"instructions\"");
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
