package ai.phoneagent.control.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class CursorCodecTest {
    private static final byte[] KEY = "cursor-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private final CursorCodec codec = new CursorCodec(KEY);

    private static void assertInvalid(CursorCodec codec, String kind, String cursor) {
        assertThatThrownBy(() -> codec.decode(kind, cursor)).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("invalid_cursor");
        });
    }

    @Test
    void aCursorRoundTripsItsPayload() {
        String cursor = codec.encode("live", Json.object().put("s", "CALL#rtc_1"));
        assertThat(cursor).matches("[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+");
        assertThat(codec.decode("live", cursor).get("s").asText()).isEqualTo("CALL#rtc_1");
    }

    @Test
    void aCursorIsOnlyAcceptedForTheKindItWasIssuedFor() {
        String cursor = codec.encode("live", Json.object().put("s", "x"));
        assertInvalid(codec, "recent", cursor);
        assertInvalid(codec, "turns", cursor);
    }

    @Test
    void aPayloadRewrittenByTheClientIsRejected() {
        String cursor = codec.encode("live", Json.object().put("s", "CALL#rtc_1"));
        String signature = cursor.substring(cursor.indexOf('.') + 1);
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"k\":\"live\",\"s\":\"CALL#rtc_other\"}".getBytes(StandardCharsets.UTF_8));
        assertInvalid(codec, "live", forged + "." + signature);
    }

    @Test
    void aCursorSignedWithAnotherKeyIsRejected() {
        CursorCodec other = new CursorCodec("another-key-0123456789abcdefghij".getBytes(StandardCharsets.UTF_8));
        assertInvalid(codec, "live", other.encode("live", Json.object().put("s", "x")));
    }

    @Test
    void garbageIsRejected() {
        for (String bad : new String[] {"", ".", "abc", "a.b.c", "!!!.???", "e30.", ".e30", "x".repeat(2000),
                "e30.AAAA"}) {
            assertInvalid(codec, "live", bad);
        }
    }

    @Property(tries = 300)
    void changingAnyCharacterOfACursorInvalidatesIt(@ForAll("positions") int position, @ForAll("replacements") char c) {
        String cursor = codec.encode("recent", Json.object().put("d", "2026-11-24").put("o", "2026-11-18"));
        int at = position % cursor.length();
        if (cursor.charAt(at) == c) {
            return;
        }
        String tampered = cursor.substring(0, at) + c + cursor.substring(at + 1);
        try {
            codec.decode("recent", tampered);
            // base64 without padding: the last character can carry unused bits; only accept when it decodes equal
            assertThat(Base64.getUrlDecoder().decode(tampered.substring(0, tampered.indexOf('.'))))
                    .isEqualTo(Base64.getUrlDecoder().decode(cursor.substring(0, cursor.indexOf('.'))));
        } catch (ApiError e) {
            assertThat(e.code()).isEqualTo("invalid_cursor");
        }
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, 10_000);
    }

    @Provide
    Arbitrary<Character> replacements() {
        return Arbitraries.of('A', 'z', '0', '-', '_', '.', '=', '+', '/');
    }
}
