package ai.phoneagent.control.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutboundSettingsTest {
    private static OutboundSettings settings(Map<String, String> env) {
        return OutboundSettings.fromEnv(Env.of(env),
                Optional.of(URI.create("https://abc.execute-api.eu-west-1.amazonaws.com/prod/twilio/conference-events")));
    }

    private static Map<String, String> base() {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_OUTBOUND_FROM", "+442071838750");
        env.put("OPENAI_SIP_URI", "sip:proj_1@sip.api.openai.com;transport=tls");
        return env;
    }

    @Test
    void theAllowListDefaultsToTheFromNumbersCountryCode() {
        assertThat(settings(base()).allowedPrefixes()).containsExactly("+44");
        assertThat(OutboundSettings.countryCode("+15550100000")).isEqualTo("+1");
        assertThat(OutboundSettings.countryCode("+79161234567")).isEqualTo("+7");
        assertThat(OutboundSettings.countryCode("+4915112345678")).isEqualTo("+49");
        assertThat(OutboundSettings.countryCode("+353861234567")).isEqualTo("+353");
    }

    @Test
    void theCallbackUrlIsTheConferenceCallbacksSibling() {
        assertThat(settings(base()).statusCallbackUrl()).contains(
                URI.create("https://abc.execute-api.eu-west-1.amazonaws.com/prod/twilio/outbound-status"));
        assertThat(settings(base()).configured()).isTrue();
    }

    @Test
    void quietHoursMayWrapMidnightInTheirTimeZone() {
        Map<String, String> env = base();
        env.put("OUTBOUND_QUIET_HOURS", "21:00-08:00");
        env.put("OUTBOUND_TIME_ZONE", "America/New_York");
        OutboundSettings.QuietHours quiet = settings(env).quietHours().orElseThrow();

        assertThat(quiet.contains(Instant.parse("2026-12-01T03:00:00Z"))).isTrue();  // 22:00 in New York
        assertThat(quiet.contains(Instant.parse("2026-12-01T12:59:00Z"))).isTrue();  // 07:59
        assertThat(quiet.contains(Instant.parse("2026-12-01T13:00:00Z"))).isFalse(); // 08:00
        assertThat(quiet.contains(Instant.parse("2026-12-01T20:00:00Z"))).isFalse(); // 15:00
    }

    @Test
    void badValuesFailStartUpNamingTheVariable() {
        for (var bad : Map.of("TWILIO_OUTBOUND_FROM", "5550100", "OPENAI_SIP_URI", "https://x",
                "OUTBOUND_ALLOWED_PREFIXES", "+1,44", "OUTBOUND_QUIET_HOURS", "late", "OUTBOUND_TIME_ZONE", "Mars/Base",
                "OUTBOUND_MAX_CONCURRENT", "0").entrySet()) {
            Map<String, String> env = base();
            env.put(bad.getKey(), bad.getValue());
            if (bad.getKey().equals("OUTBOUND_TIME_ZONE")) {
                env.put("OUTBOUND_QUIET_HOURS", "21:00-08:00");
            }
            assertThatThrownBy(() -> settings(env)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(bad.getKey());
        }
    }

    @Test
    void withoutFromNumberOrConnectorUriOutboundIsOff() {
        Map<String, String> env = base();
        env.remove("OPENAI_SIP_URI");
        assertThat(settings(env).configured()).isFalse();
    }
}
