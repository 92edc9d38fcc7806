package ai.phoneagent.worker.call;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.GreetingState;
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

    private static CallRecord stored(GreetingState greeting) {
        CallRecord c = call("inbound", null);
        return new CallRecord(c.callId(), c.status(), c.webhookId(), c.from(), c.to(), c.sipHeaders(),
                c.conferenceName(), c.callToken(), c.createdAt(), c.acceptedAt(), c.attachedAt(), c.endedAt(),
                c.endReason(), c.failureReason(), c.owner(), c.leaseUntil(), c.controlQueueUrl(), c.nextSeq(),
                c.version(), c.direction(), c.launchId(), c.opening(), c.toolCatalog(), c.traceId(), c.summary(),
                greeting);
    }

    @Test
    void aCallWhoseGreetingIsStillDueIsGreetedOnAnyAttachTakeOverIncluded() {
        assertThat(GreetingPolicy.due(stored(GreetingState.DUE), true)).isTrue();
        assertThat(GreetingPolicy.due(stored(GreetingState.DUE), false)).as("taken over before its greeting").isTrue();
    }

    @Test
    void aCallGreetedOnceIsNeverGreetedAgainOnAnyAttach() {
        assertThat(GreetingPolicy.due(stored(GreetingState.SENT), true)).isFalse();
        assertThat(GreetingPolicy.due(stored(GreetingState.SENT), false)).isFalse();
    }

    @Test
    void aCallStoredBeforeGreetingsWereRecordedGreetsOnItsFirstAttachOnly() {
        assertThat(GreetingPolicy.due(stored(GreetingState.UNRECORDED), true)).isTrue();
        assertThat(GreetingPolicy.due(stored(GreetingState.UNRECORDED), false)).isFalse();
        assertThat(GreetingState.fromWire(null)).isEqualTo(GreetingState.UNRECORDED);
        assertThat(GreetingState.fromWire("due")).isEqualTo(GreetingState.DUE);
        assertThat(GreetingState.fromWire("sent")).isEqualTo(GreetingState.SENT);
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
