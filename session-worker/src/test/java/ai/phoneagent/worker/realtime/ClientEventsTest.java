package ai.phoneagent.worker.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientEventsTest {

    @Test
    void greeting_asks_the_model_to_say_the_welcome_message_verbatim() throws Exception {
        var json = Json.parse(ClientEvents.greeting(Optional.of("Hello, thanks for calling Acme.")).orElseThrow());
        assertThat(json.path("type").asText()).isEqualTo("response.create");
        assertThat(json.path("response").path("instructions").asText())
                .isEqualTo("Say exactly 'Hello, thanks for calling Acme.' now.");
    }

    @Test
    void an_empty_welcome_message_disables_the_greeting() {
        assertThat(ClientEvents.greeting(Optional.empty())).isEmpty();
        assertThat(ClientEvents.greeting(Optional.of("   "))).isEmpty();
    }

    @Test
    void quotes_and_line_breaks_in_the_greeting_cannot_break_out_of_the_quotation() throws Exception {
        var json = Json.parse(ClientEvents.greeting(Optional.of("Hi, I'm \"Ada\".\nHow can I help?")).orElseThrow());
        String instructions = json.path("response").path("instructions").asText();
        assertThat(instructions).isEqualTo("Say exactly 'Hi, I\u2019m \"Ada\". How can I help?' now.");
        assertThat(instructions.chars().filter(c -> c == '\'').count()).isEqualTo(2);
    }

    @Test
    void function_call_output_and_system_message_have_the_documented_shapes() throws Exception {
        var output = Json.parse(ClientEvents.functionCallOutput("call_abc", "{\"ok\":true}"));
        assertThat(output.path("type").asText()).isEqualTo("conversation.item.create");
        assertThat(output.path("item").path("type").asText()).isEqualTo("function_call_output");
        assertThat(output.path("item").path("call_id").asText()).isEqualTo("call_abc");
        assertThat(output.path("item").path("output").asText()).isEqualTo("{\"ok\":true}");

        var system = Json.parse(ClientEvents.systemMessage("Offer a callback."));
        assertThat(system.path("item").path("role").asText()).isEqualTo("system");
        assertThat(system.path("item").path("content").get(0).path("type").asText()).isEqualTo("input_text");
        assertThat(system.path("item").path("content").get(0).path("text").asText()).isEqualTo("Offer a callback.");

        assertThat(ClientEvents.responseCreate()).isEqualTo("{\"type\":\"response.create\"}");
    }
}
