package ai.phoneagent.worker.it;

import static ai.phoneagent.worker.it.TestBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallStatus;
import ai.phoneagent.simulator.discord.DiscordMessage;
import ai.phoneagent.simulator.discord.DiscordRequest;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Transcript streaming to the fake Discord: order, splitting, mentions, rate limits and outages. */
@WithTestBed
class WorkerDiscordTest {
    TestBed bed;

    private Map<String, String> discordOn() {
        return Map.of("DISCORD_WEBHOOK_URL", bed.discord.webhookUrl(), "WELCOME_MESSAGE", "");
    }

    private static List<String> contents(List<DiscordMessage> messages) {
        return messages.stream().map(DiscordMessage::content).toList();
    }

    @Test
    void long_utterances_are_split_under_discords_limit_and_mentions_ping_no_one() {
        bed.startWorker(discordOn());
        String longText = "@everyone " + "please call me back about my order ".repeat(130);
        String callId = bed.placeCall(Scenario.of("long", Step.caller(longText), Step.agent("Sure."), Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        List<DiscordMessage> messages = bed.discord.awaitMessages(6, WAIT);
        List<String> contents = contents(messages);
        assertThat(contents).allSatisfy(c -> assertThat(c.length()).isLessThanOrEqualTo(2000));
        assertThat(contents.get(1)).startsWith("Caller: @everyone");
        int agentIndex = contents.indexOf("Agent: Sure.");
        assertThat(agentIndex).isGreaterThan(2); // the caller's long line came first, in several pieces
        assertThat(String.join(" ", contents.subList(1, agentIndex)).replaceAll("\\s+", " "))
                .isEqualTo(("Caller: " + longText).strip().replaceAll("\\s+", " "));
        assertThat(messages).allSatisfy(m -> {
            assertThat(m.body().path("allowed_mentions").path("parse").isArray()).isTrue();
            assertThat(m.body().path("allowed_mentions").path("parse").isEmpty()).isTrue();
        });
    }

    @Test
    void a_429_is_honoured_with_its_retry_after_and_order_is_kept() {
        bed.discord.rateLimitNext(1, Duration.ofMillis(400));
        bed.startWorker(discordOn());
        String callId = bed.placeCall(Scenario.of("rate", Step.caller("A"), Step.agent("B"), Step.caller("C"),
                Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        List<DiscordMessage> messages = bed.discord.awaitMessages(5, WAIT);
        assertThat(contents(messages).subList(1, 4)).containsExactly("Caller: A", "Agent: B", "Caller: C");
        List<DiscordRequest> requests = bed.discord.requests();
        assertThat(requests.getFirst().status()).isEqualTo(429);
        assertThat(Duration.between(requests.getFirst().receivedAt(), requests.get(1).receivedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(requests.get(1).body()).isEqualTo(requests.getFirst().body()); // the same line, retried
    }

    @Test
    void server_errors_are_retried_with_backoff() {
        bed.discord.failNext(2, 502);
        bed.startWorker(discordOn());
        String callId = bed.placeCall(Scenario.of("5xx", Step.caller("Hello"), Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        List<DiscordMessage> messages = bed.discord.awaitMessages(3, WAIT);
        assertThat(contents(messages).get(1)).isEqualTo("Caller: Hello");
        assertThat(bed.discord.requests().subList(0, 2)).allSatisfy(r -> assertThat(r.status()).isEqualTo(502));
    }

    @Test
    void a_discord_outage_does_not_delay_the_calls_own_handling() {
        bed.discord.goDown();
        bed.startWorker(Map.of("DISCORD_WEBHOOK_URL", bed.discord.webhookUrl(), "DISCORD_MAX_ATTEMPTS", "20"));
        long start = System.nanoTime();
        String callId = bed.placeCall(Scenario.of("outage", Step.await(AwaitTarget.GREETING),
                Step.caller("One"), Step.agent("Two"), Step.caller("Three"), Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(bed.turnLines(callId)).containsExactly("agent: Hello, thanks for calling Acme.",
                "caller: One", "agent: Two", "caller: Three");
        // a sender blocking the call would spend minutes on its first line's retries; 10 s leaves room for a slow CI
        assertThat(took).isLessThan(Duration.ofSeconds(10));
        assertThat(bed.discord.messages()).isEmpty();
        // when Discord is back, the buffered lines arrive, still in order
        bed.discord.comeBack();
        List<String> contents = contents(bed.discord.awaitMessages(6, Duration.ofSeconds(30)));
        assertThat(contents.subList(1, 5)).containsExactly("Agent: Hello, thanks for calling Acme.",
                "Caller: One", "Agent: Two", "Caller: Three");
    }

    @Test
    void the_buffer_is_bounded_and_drops_are_counted() {
        bed.discord.goDown();
        var worker = bed.startWorker(Map.of("DISCORD_WEBHOOK_URL", bed.discord.webhookUrl(), "DISCORD_BUFFER_LIMIT", "2",
                "WELCOME_MESSAGE", "", "DISCORD_MAX_ATTEMPTS", "20"));
        String callId = bed.placeCall(Scenario.of("flood", Step.caller("1"), Step.caller("2"), Step.caller("3"),
                Step.caller("4"), Step.caller("5"), Step.hangup(true)));
        bed.awaitStatus(callId, CallStatus.ENDED);
        assertThat(bed.turns(callId)).hasSize(5);
        Await.until("drops logged", WAIT, () -> bed.logs().contains("discord line dropped"));
        assertThat(worker.activeCalls()).isZero();
    }
}
