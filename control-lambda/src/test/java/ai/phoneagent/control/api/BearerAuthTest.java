package ai.phoneagent.control.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.control.Secret;
import ai.phoneagent.testing.TestKeys;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BearerAuthTest {
    private final BearerAuth auth = new BearerAuth(Optional.of(new Secret(TestKeys.CONTROL_API_TOKEN)), false);

    private static ApiRequest withHeader(String name, String value) {
        return ApiRequest.of("GET", "/control/calls", "", value == null ? Map.of() : Map.of(name, value), null, "r");
    }

    @Test
    void theConfiguredBearerTokenPasses() {
        assertThatCode(() -> auth.check(withHeader("Authorization", "Bearer " + TestKeys.CONTROL_API_TOKEN)))
                .doesNotThrowAnyException();
    }

    @Test
    void headerNameAndSchemeMatchInAnyCase() {
        assertThatCode(() -> auth.check(withHeader("AUTHORIZATION", "bearer " + TestKeys.CONTROL_API_TOKEN)))
                .doesNotThrowAnyException();
        assertThatCode(() -> auth.check(withHeader("authorization", "BEARER  " + TestKeys.CONTROL_API_TOKEN + " ")))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bearer", "Bearer ", "Basic Y3RsOnRva2Vu", "Bearer wrong-token",
            "Bearer ctl-test-token-SECRET-012345678", "Bearer ctl-test-token-SECRET-01234567890",
            TestKeys.CONTROL_API_TOKEN})
    void aMissingOrWrongTokenIs401Unauthorized(String header) {
        assertThatThrownBy(() -> auth.check(withHeader("authorization", header)))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.code()).isEqualTo("unauthorized");
                    assertThat(e.toResponse().headers()).containsKey("www-authenticate");
                    assertThat(TestKeys.containsSecret(e.toResponse().body())).isFalse();
                });
    }

    @Test
    void noAuthorizationHeaderIs401() {
        assertThatThrownBy(() -> auth.check(withHeader("x", null)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void withoutAConfiguredTokenEveryRequestIs503ControlNotConfigured() {
        BearerAuth unconfigured = new BearerAuth(Optional.empty(), false);
        assertThatThrownBy(() -> unconfigured.check(withHeader("authorization", "Bearer anything")))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.code()).isEqualTo("control_not_configured");
                });
    }

    @Test
    void disabledAuthWithoutATokenLetsRequestsThrough() {
        BearerAuth disabled = new BearerAuth(Optional.empty(), true);
        assertThat(disabled.disabled()).isTrue();
        assertThatCode(() -> disabled.check(withHeader("x", null))).doesNotThrowAnyException();
    }

    @Test
    void aConfiguredTokenIsEnforcedEvenWhenAuthIsMarkedDisabled() {
        BearerAuth both = new BearerAuth(Optional.of(new Secret(TestKeys.CONTROL_API_TOKEN)), true);
        assertThat(both.disabled()).isFalse();
        assertThatThrownBy(() -> both.check(withHeader("x", null))).isInstanceOf(ApiError.class);
    }
}
