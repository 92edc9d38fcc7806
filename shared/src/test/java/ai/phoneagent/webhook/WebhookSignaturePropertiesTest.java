package ai.phoneagent.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class WebhookSignaturePropertiesTest {
    private static final WebhookSecret SECRET = WebhookSecret.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    private static final long NOW = 1_700_000_000L;
    private static final WebhookVerifier VERIFIER =
            new WebhookVerifier(SECRET, Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

    record Delivery(String id, String timestamp, byte[] body) {
    }

    @Provide
    Arbitrary<Delivery> deliveries() {
        return Combinators.combine(
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(30).map(s -> "msg_" + s),
                Arbitraries.longs().between(NOW - 300, NOW + 300).map(String::valueOf),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300)).as(Delivery::new);
    }

    private static Verification verify(String id, String timestamp, byte[] body, String signature) {
        return VERIFIER.verify(Map.of("webhook-id", id, "webhook-timestamp", timestamp, "webhook-signature", signature), body);
    }

    @Property(tries = 300)
    void signedDeliveriesVerify(@ForAll("deliveries") Delivery d) {
        String signature = WebhookSignatures.sign(SECRET, d.id(), d.timestamp(), d.body());
        assertThat(verify(d.id(), d.timestamp(), d.body(), signature)).isInstanceOf(Verification.Valid.class);
    }

    @Property(tries = 300)
    void changingAnyBodyByteFailsVerification(@ForAll("deliveries") Delivery d, @ForAll int position, @ForAll byte delta) {
        String signature = WebhookSignatures.sign(SECRET, d.id(), d.timestamp(), d.body());
        byte[] tampered = d.body().clone();
        int i = Math.floorMod(position, tampered.length);
        tampered[i] = (byte) (tampered[i] + (delta == 0 ? 1 : delta));
        assertThat(verify(d.id(), d.timestamp(), tampered, signature)).isInstanceOf(Verification.Invalid.class);
    }

    @Property(tries = 300)
    void changingAnyIdCharacterFailsVerification(@ForAll("deliveries") Delivery d, @ForAll int position) {
        String signature = WebhookSignatures.sign(SECRET, d.id(), d.timestamp(), d.body());
        char[] id = d.id().toCharArray();
        int i = Math.floorMod(position, id.length);
        id[i] = id[i] == 'x' ? 'y' : 'x';
        assertThat(verify(new String(id), d.timestamp(), d.body(), signature)).isInstanceOf(Verification.Invalid.class);
    }

    @Property(tries = 300)
    void changingAnyTimestampDigitFailsVerification(@ForAll("deliveries") Delivery d, @ForAll int position) {
        String signature = WebhookSignatures.sign(SECRET, d.id(), d.timestamp(), d.body());
        char[] ts = d.timestamp().toCharArray();
        int i = Math.floorMod(position, ts.length);
        ts[i] = ts[i] == '9' ? '8' : (char) (ts[i] + 1);
        assertThat(verify(d.id(), new String(ts), d.body(), signature)).isInstanceOf(Verification.Invalid.class);
    }

    @Property(tries = 50)
    void bodyIsCoveredAsRawBytesNotAsText(@ForAll("deliveries") Delivery d) {
        String text = new String(d.body(), StandardCharsets.UTF_8) + " ";
        String signature = WebhookSignatures.sign(SECRET, d.id(), d.timestamp(), d.body());
        assertThat(verify(d.id(), d.timestamp(), text.getBytes(StandardCharsets.UTF_8), signature))
                .isInstanceOf(Verification.Invalid.class);
    }
}
