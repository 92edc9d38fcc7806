package ai.phoneagent.control.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {
    private static ApiRequest withKey(String key) {
        return ApiRequest.of("POST", "/x", "", Map.of("Idempotency-Key", key), null, "r");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rtc_abc123", "a", "A-b_9", "rtc_012345678901234567890123456789012345678901234567890123456789"})
    void wellFormedIdsPass(String id) {
        assertThat(Ids.callId(id)).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "rtc abc", "rtc/abc", "../x", "rtc%20", "rtc.abc", "ä",
            "rtc_01234567890123456789012345678901234567890123456789012345678901"})
    void malformedIdsAre400(String id) {
        assertThatThrownBy(() -> Ids.callId(id)).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void idempotencyKeysArePrintableAndAtMost200Characters() {
        assertThat(Ids.idempotencyKey(withKey("  key-1 "))).isEqualTo("key-1");
        assertThat(Ids.idempotencyKey(withKey("k".repeat(200)))).hasSize(200);
        assertThat(Ids.idempotencyKey(withKey("with space ok"))).isEqualTo("with space ok");
        assertThat(Ids.idempotencyKey(withKey("   "))).isNull();
        assertThat(Ids.idempotencyKey(ApiRequest.of("POST", "/x", "", Map.of(), null, "r"))).isNull();
        for (String bad : new String[] {"k".repeat(201), "a\u0001b", "tab\there", "ключ", "a\u007fb"}) {
            assertThatThrownBy(() -> Ids.idempotencyKey(withKey(bad))).isInstanceOfSatisfying(ApiError.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.code()).isEqualTo("invalid_request");
            });
        }
    }

    @Test
    void limitsAreWholeNumbersWithinBounds() {
        ApiRequest request = ApiRequest.of("GET", "/x", "limit=7&bad=x&big=101&zero=0", Map.of(), null, "r");
        assertThat(Ids.intParam(request, "limit", 20, 1, 100)).isEqualTo(7);
        assertThat(Ids.intParam(request, "missing", 20, 1, 100)).isEqualTo(20);
        for (String name : new String[] {"bad", "big", "zero"}) {
            assertThatThrownBy(() -> Ids.intParam(request, name, 20, 1, 100)).isInstanceOf(ApiError.class);
        }
    }
}
