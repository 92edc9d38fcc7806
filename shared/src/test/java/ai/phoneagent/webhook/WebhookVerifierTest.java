package ai.phoneagent.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {
    private static JsonNode vector;

    @BeforeAll
    static void loadVector() throws Exception {
        try (InputStream in = WebhookVerifierTest.class.getResourceAsStream("/webhook/standard-webhooks-vector.json")) {
            vector = Json.mapper().readTree(in);
        }
    }

    private static long vectorTime() {
        return Long.parseLong(vector.get("webhook-timestamp").asText());
    }

    private static WebhookVerifier verifierAt(long epochSeconds) {
        return new WebhookVerifier(WebhookSecret.of(vector.get("secret").asText()),
                Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC));
    }

    private static Map<String, String> vectorHeaders() {
        Map<String, String> headers = new HashMap<>();
        headers.put("webhook-id", vector.get("webhook-id").asText());
        headers.put("webhook-timestamp", vector.get("webhook-timestamp").asText());
        headers.put("webhook-signature", vector.get("webhook-signature").asText());
        return headers;
    }

    private static byte[] vectorBody() {
        return vector.get("payload").asText().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void acceptsTheStandardWebhooksKnownAnswerVector() {
        assertThat(verifierAt(vectorTime()).verify(vectorHeaders(), vectorBody()))
                .isEqualTo(new Verification.Valid(vector.get("webhook-id").asText(), vectorTime()));
    }

    @Test
    void signerProducesTheKnownAnswerSignature() {
        String signature = WebhookSignatures.sign(WebhookSecret.of(vector.get("secret").asText()),
                vector.get("webhook-id").asText(), vector.get("webhook-timestamp").asText(), vectorBody());
        assertThat(signature).isEqualTo(vector.get("webhook-signature").asText());
    }

    @Test
    void acceptsTimestampExactly300SecondsOldOrAhead() {
        assertThat(verifierAt(vectorTime() + 300).verify(vectorHeaders(), vectorBody())).isInstanceOf(Verification.Valid.class);
        assertThat(verifierAt(vectorTime() - 300).verify(vectorHeaders(), vectorBody())).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void rejectsStaleTimestamp301SecondsOld() {
        assertThat(verifierAt(vectorTime() + 301).verify(vectorHeaders(), vectorBody()))
                .isEqualTo(new Verification.Invalid("webhook-timestamp is outside the allowed tolerance"));
    }

    @Test
    void rejectsTimestamp301SecondsInTheFuture() {
        assertThat(verifierAt(vectorTime() - 301).verify(vectorHeaders(), vectorBody()))
                .isInstanceOf(Verification.Invalid.class);
    }

    @Test
    void rejectsEachMissingHeader() {
        for (String header : new String[] {"webhook-id", "webhook-timestamp", "webhook-signature"}) {
            Map<String, String> headers = vectorHeaders();
            headers.remove(header);
            assertThat(verifierAt(vectorTime()).verify(headers, vectorBody()))
                    .as("without %s", header)
                    .isInstanceOf(Verification.Invalid.class);
        }
    }

    @Test
    void matchesHeaderNamesInAnyCase() {
        Map<String, String> headers = Map.of(
                "Webhook-Id", vector.get("webhook-id").asText(),
                "WEBHOOK-TIMESTAMP", vector.get("webhook-timestamp").asText(),
                "webhook-Signature", vector.get("webhook-signature").asText());
        assertThat(verifierAt(vectorTime()).verify(headers, vectorBody())).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void rejectsNonNumericTimestamp() {
        Map<String, String> headers = vectorHeaders();
        headers.put("webhook-timestamp", "1614265330a");
        assertThat(verifierAt(vectorTime()).verify(headers, vectorBody()))
                .isEqualTo(new Verification.Invalid("webhook-timestamp is not an integer"));
    }

    @Test
    void rejectsMalformedBase64Signature() {
        Map<String, String> headers = vectorHeaders();
        headers.put("webhook-signature", "v1,***not-base64***");
        assertThat(verifierAt(vectorTime()).verify(headers, vectorBody())).isInstanceOf(Verification.Invalid.class);
    }

    @Test
    void acceptsWhenAnyOfSeveralSignatureEntriesMatches() {
        Map<String, String> headers = vectorHeaders();
        headers.put("webhook-signature", "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,whatever "
                + vector.get("webhook-signature").asText());
        assertThat(verifierAt(vectorTime()).verify(headers, vectorBody())).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void ignoresEntriesOfOtherSchemeVersions() {
        Map<String, String> headers = vectorHeaders();
        headers.put("webhook-signature", vector.get("webhook-signature").asText().replace("v1,", "v2,"));
        assertThat(verifierAt(vectorTime()).verify(headers, vectorBody())).isInstanceOf(Verification.Invalid.class);
    }

    @Test
    void usesUtf8BytesOfASecretWithoutThePrefix() {
        WebhookSecret raw = WebhookSecret.of("plain-secret");
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String signature = WebhookSignatures.sign(raw, "msg_1", "1700000000", body);
        var verifier = new WebhookVerifier(raw, Clock.fixed(Instant.ofEpochSecond(1700000000), ZoneOffset.UTC));
        assertThat(verifier.verify(Map.of("webhook-id", "msg_1", "webhook-timestamp", "1700000000",
                "webhook-signature", signature), body)).isInstanceOf(Verification.Valid.class);
        // the same text treated as a whsec_ secret would be a different key
        assertThat(new WebhookVerifier(WebhookSecret.of("whsec_cGxhaW4tc2VjcmV0"),
                Clock.fixed(Instant.ofEpochSecond(1700000000), ZoneOffset.UTC))
                .verify(Map.of("webhook-id", "msg_1", "webhook-timestamp", "1700000000", "webhook-signature", signature), body))
                .isInstanceOf(Verification.Valid.class);
        assertThat(new WebhookVerifier(WebhookSecret.of("other"), Clock.fixed(Instant.ofEpochSecond(1700000000), ZoneOffset.UTC))
                .verify(Map.of("webhook-id", "msg_1", "webhook-timestamp", "1700000000", "webhook-signature", signature), body))
                .isInstanceOf(Verification.Invalid.class);
    }

    @Test
    void refusesPrefixedSecretWithBadBase64WithoutEchoingIt() {
        assertThatThrownBy(() -> WebhookSecret.of("whsec_%%%secretvalue%%%"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("secretvalue");
    }

    @Test
    void secretNeverAppearsInItsStringForm() {
        assertThat(WebhookSecret.of(vector.get("secret").asText()).toString()).doesNotContain("MfKQ9r8");
    }
}
