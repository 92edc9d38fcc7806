package ai.phoneagent.simulator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import ai.phoneagent.webhook.Verification;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookSenderTest {
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("simulator-test-secret".getBytes());
    private final WebhookReceiver receiver;

    WebhookSenderTest() throws Exception {
        receiver = new WebhookReceiver(SECRET);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    /** A clock that moves one second each time it is read, so every attempt gets a fresh timestamp. */
    private static Clock ticking() {
        AtomicLong seconds = new AtomicLong(Instant.now().getEpochSecond() - 60);
        return new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochSecond(seconds.incrementAndGet());
            }
        };
    }

    @Test
    void anIncomingCallIsSignedSoSharedsVerifierAcceptsIt() throws Exception {
        WebhookSender sender = new WebhookSender(SECRET, Clock.systemUTC(), RedeliveryPolicy.fast());
        IncomingCallSpec call = IncomingCallSpec.builder().from("+14155550123").to("+18005550100")
                .conferenceName("CF0123456789abcdef0123456789abcdef").build();

        DeliveryReport report = sender.sendIncomingCall(receiver.url(), call);

        assertThat(report.delivered()).isTrue();
        assertThat(report.statuses()).containsExactly(200);
        WebhookReceiver.Delivery delivery = receiver.deliveries().getFirst();
        assertThat(delivery.verification()).isInstanceOf(Verification.Valid.class);
        assertThat(delivery.header("webhook-signature")).startsWith("v1,");
        assertThat(delivery.header("webhook-id")).isEqualTo(report.webhookId());
        JsonNode body = Json.parse(new String(delivery.body()));
        assertThat(body.path("object").asText()).isEqualTo("event");
        assertThat(body.path("id").asText()).startsWith("evt_");
        assertThat(body.path("type").asText()).isEqualTo("realtime.call.incoming");
        assertThat(body.path("created_at").isNumber()).isTrue();
        assertThat(body.at("/data/call_id").asText()).isEqualTo(call.callId()).startsWith("rtc_");
        List<String> names = new ArrayList<>();
        body.at("/data/sip_headers").forEach(h -> names.add(h.path("name").asText()));
        assertThat(names).containsExactly("From", "To", "Call-ID", "X-conferenceName");
        assertThat(body.at("/data/sip_headers/0/value").asText()).isEqualTo("sip:+14155550123@sip.example.com");
        assertThat(body.at("/data/sip_headers/3/value").asText()).isEqualTo("CF0123456789abcdef0123456789abcdef");
    }

    @Test
    void aFailedDeliveryIsRetriedWithTheSameIdAndAFreshSignatureUntil200() {
        receiver.answer(500, 503);
        WebhookSender sender = new WebhookSender(SECRET, ticking(), RedeliveryPolicy.fast());
        List<DeliveryAttempt> seen = new ArrayList<>();

        DeliveryReport report = sender.deliver(receiver.url(),
                WebhookEvent.incomingCall(IncomingCallSpec.random(), Clock.systemUTC()), Signing.valid(), seen::add);

        assertThat(report.statuses()).containsExactly(500, 503, 200);
        assertThat(seen).isEqualTo(report.attempts());
        List<WebhookReceiver.Delivery> deliveries = receiver.deliveries();
        assertThat(deliveries).hasSize(3);
        assertThat(deliveries).extracting(d -> d.header("webhook-id")).containsOnly(report.webhookId());
        assertThat(deliveries).extracting(d -> d.header("webhook-timestamp")).doesNotHaveDuplicates();
        assertThat(deliveries).extracting(WebhookReceiver.Delivery::verification)
                .allMatch(v -> v instanceof Verification.Valid);
        assertThat(deliveries).extracting(d -> new String(d.body())).containsOnly(report.event().json());
    }

    @Test
    void redeliveryStopsAfterTheConfiguredAttempts() {
        receiver.answer(500, 500, 500, 500);
        RedeliveryPolicy three = new RedeliveryPolicy(3, Duration.ofMillis(5), 2.0, Duration.ofMillis(20),
                Duration.ofSeconds(2));
        WebhookSender sender = new WebhookSender(SECRET, Clock.systemUTC(), three);

        DeliveryReport report = sender.deliver(receiver.url(), WebhookEvent.of("realtime.call.incoming",
                Json.object().put("call_id", "rtc_x"), Clock.systemUTC()));

        assertThat(report.delivered()).isFalse();
        assertThat(report.statuses()).containsExactly(500, 500, 500);
    }

    @Test
    void aSlowAnswerCountsAsFailedAndIsRedelivered() {
        receiver.answerSlowly(Duration.ofSeconds(2));
        RedeliveryPolicy impatient = new RedeliveryPolicy(3, Duration.ofMillis(5), 2.0, Duration.ofMillis(20),
                Duration.ofMillis(300));
        WebhookSender sender = new WebhookSender(SECRET, Clock.systemUTC(), impatient);

        DeliveryReport report = sender.sendIncomingCall(receiver.url(), IncomingCallSpec.random());

        assertThat(report.statuses()).containsExactly(-1, 200);
        assertThat(report.attempts().getFirst().error()).isNotBlank();
    }

    @Test
    void aConnectionRefusedIsReportedAsNoAnswer() {
        WebhookSender sender = new WebhookSender(SECRET, Clock.systemUTC(), RedeliveryPolicy.once());
        java.net.URI nowhere = receiver.url();
        receiver.close();

        DeliveryReport report = sender.sendIncomingCall(nowhere, IncomingCallSpec.random());

        assertThat(report.statuses()).containsExactly(-1);
    }

    @Test
    void forgedAndStaleSignaturesFailVerification() {
        WebhookSender sender = new WebhookSender(SECRET, Clock.systemUTC(), RedeliveryPolicy.once());
        List<Signing> forgeries = List.of(Signing.wrongSecret("whsec_" + Base64.getEncoder().encodeToString(new byte[24])),
                Signing.stale(Duration.ofMinutes(10)), Signing.futureDated(Duration.ofMinutes(10)),
                Signing.tamperedBody(), Signing.missingSignature(), Signing.malformed());

        for (Signing forgery : forgeries) {
            DeliveryReport report = sender.deliver(receiver.url(),
                    WebhookEvent.incomingCall(IncomingCallSpec.random(), Clock.systemUTC()), forgery);
            assertThat(report.statuses()).as(forgery.toString()).containsExactly(401);
        }
        assertThat(receiver.deliveries()).extracting(WebhookReceiver.Delivery::verification)
                .allMatch(v -> v instanceof Verification.Invalid);
        assertThat(Signing.wrongSecret("whsec_abc").toString()).doesNotContain("abc");
    }

    @Test
    void aSignatureJustInsideTheToleranceStillVerifies() {
        WebhookSender sender = new WebhookSender(SECRET, Clock.systemUTC(), RedeliveryPolicy.once());

        DeliveryReport report = sender.deliver(receiver.url(),
                WebhookEvent.incomingCall(IncomingCallSpec.random(), Clock.systemUTC()), Signing.stale(Duration.ofSeconds(290)));

        assertThat(report.statuses()).containsExactly(200);
    }

    @Test
    void theSameDeliveryCanBeReplayedUnderItsOriginalId() {
        WebhookSender sender = new WebhookSender(SECRET, Clock.systemUTC(), RedeliveryPolicy.once());
        WebhookEvent event = WebhookEvent.incomingCall(IncomingCallSpec.random(), Clock.systemUTC());
        DeliveryReport first = sender.deliver(receiver.url(), event);

        DeliveryReport replay = sender.deliver(receiver.url(), event, first.webhookId(), Signing.valid(), a -> { });

        assertThat(replay.webhookId()).isEqualTo(first.webhookId());
        assertThat(receiver.deliveries()).extracting(d -> d.header("webhook-id"))
                .containsExactly(first.webhookId(), first.webhookId());
    }

    @Test
    void backoffGrowsExponentiallyUpToItsCap() {
        RedeliveryPolicy policy = new RedeliveryPolicy(6, Duration.ofMillis(100), 2.0, Duration.ofMillis(500),
                Duration.ofSeconds(1));

        assertThat(List.of(1, 2, 3, 4, 5, 6).stream().map(policy::backoffBefore).map(Duration::toMillis))
                .containsExactly(0L, 100L, 200L, 400L, 500L, 500L);
    }

    @Test
    void theSenderNeverPrintsItsSecret() {
        assertThat(new WebhookSender(SECRET, Clock.systemUTC(), RedeliveryPolicy.fast()).toString())
                .doesNotContain(SECRET.substring(6));
    }
}
