package ai.phoneagent.worker.call;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallStartTest {
    private static final Optional<String> WELCOME = Optional.of("Thanks for calling Acme.");

    private static CallRecord call(String direction, String opening) {
        return new CallRecord("rtc_1", CallStatus.ATTACHED, "wh", "+1555", "+1556", List.of(), null, null,
                Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, null, null, null, "w", null, null, 0, 1, direction,
                direction.equals("outbound") ? "ol_1" : null, opening);
    }

    @Test
    void anInboundCallHearsTheGreeting() {
        assertThat(CallStart.firstResponse(call("inbound", null), WELCOME)).get().asString()
                .contains("Say exactly 'Thanks for calling Acme.' now.");
    }

    @Test
    void anOutboundCallHearsItsOpeningNeverTheGreeting() {
        String event = CallStart.firstResponse(call("outbound", "Hi, it's Ava from Acme."), WELCOME).orElseThrow();

        assertThat(event).contains("Say exactly 'Hi, it\u2019s Ava from Acme.' now.").doesNotContain("Thanks for calling");
    }

    @Test
    void theDiscordStartNoticeShowsTheDirection() {
        assertThat(CallStart.startNotice(call("inbound", null), true)).startsWith("📞 Call started — from");
        assertThat(CallStart.startNotice(call("outbound", "Hi"), true))
                .isEqualTo("📞 Outbound call started — launch ol_1, from "
                        + ai.phoneagent.worker.discord.DiscordText.displayParty("+1555", true));
    }

    @Test
    void anOutboundCallWithoutOpeningLetsTheModelOpen() throws Exception {
        for (String opening : new String[] {"", null}) {
            String event = CallStart.firstResponse(call("outbound", opening), WELCOME).orElseThrow();
            assertThat(Json.parse(event).path("type").asText()).isEqualTo("response.create");
            assertThat(Json.parse(event).has("response")).isFalse();
        }
    }
}
