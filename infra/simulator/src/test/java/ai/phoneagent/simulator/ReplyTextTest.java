package ai.phoneagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ReplyTextTest {
    private static JsonNode responseCreate(String instructions) {
        var event = Json.object().put("type", "response.create");
        if (instructions != null) {
            event.putObject("response").put("instructions", instructions);
        }
        return event;
    }

    @Test
    void theQuotedGreetingIsSpokenEvenWithApostrophesAndLaterQuotes() {
        assertThat(ClientEventResponder.replyFor(
                responseCreate("Say exactly 'Hi, I'm Ava.' now. Don't add 'anything' else."), null))
                .isEqualTo("Hi, I'm Ava.");
        assertThat(ClientEventResponder.replyFor(responseCreate("Say exactly \"Welcome!\""), null))
                .isEqualTo("Welcome!");
    }

    @Test
    void aPlainResponseCreateAfterAToolOutputMentionsTheOutputTrimmed() {
        String longOutput = "x".repeat(400);

        assertThat(ClientEventResponder.replyFor(responseCreate(null), " {\"ok\":true} "))
                .isEqualTo("Tool result: {\"ok\":true}");
        assertThat(ClientEventResponder.replyFor(responseCreate(null), longOutput)).hasSizeLessThan(200);
    }

    @Test
    void otherwiseTheModelSaysSomethingGeneric() {
        assertThat(ClientEventResponder.replyFor(responseCreate(null), null)).isEqualTo("How can I help you today?");
        assertThat(ClientEventResponder.replyFor(responseCreate("Tell them about the weather."), null))
                .isEqualTo("Okay.");
    }
}
