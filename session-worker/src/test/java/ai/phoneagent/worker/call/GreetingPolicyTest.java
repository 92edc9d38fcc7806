package ai.phoneagent.worker.call;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GreetingPolicyTest {
    private static final GreetingPolicy POLICY = GreetingPolicy.byDirection(Optional.of("Thanks for calling Acme."));

    private static CallRecord call(String direction, String opening) {
        return new CallRecord("rtc_1", CallStatus.ATTACHED, "wh", "+1555", "+1556", List.of(), null, null,
                Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, null, null, null, "w", null, null, 0, 1, direction,
                direction.equals("outbound") ? "ol_1" : null, opening, null);
    }

    @Test
    void anInboundCallHearsTheGreeting() {
        assertThat(POLICY.firstResponse(call("inbound", null))).get().asString()
                .contains("Say exactly 'Thanks for calling Acme.' now.");
    }

    @Test
    void anOutboundCallHearsItsOpeningNeverTheGreeting() {
        String event = POLICY.firstResponse(call("outbound", "Hi, it's Ava from Acme.")).orElseThrow();

        assertThat(event).contains("Say exactly 'Hi, it\u2019s Ava from Acme.' now.").doesNotContain("Thanks for calling");
    }

    @Test
    void anOutboundCallWithoutOpeningLetsTheModelOpen() throws Exception {
        for (String opening : new String[] {"", null}) {
            String event = POLICY.firstResponse(call("outbound", opening)).orElseThrow();
            assertThat(Json.parse(event).path("type").asText()).isEqualTo("response.create");
            assertThat(Json.parse(event).has("response")).isFalse();
        }
    }
}
