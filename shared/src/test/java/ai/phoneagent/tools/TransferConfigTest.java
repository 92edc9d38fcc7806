package ai.phoneagent.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransferConfigTest {
    private static final Map<String, String> TWILIO = Map.of("TWILIO_ACCOUNT_SID", "AC1", "TWILIO_AUTH_TOKEN", "tok");

    @Test
    void transferIsOffWithoutTargets() {
        TransferConfig config = TransferConfig.fromEnv(Env.of(Map.of()));
        assertThat(config.enabled()).isFalse();
        assertThat(config.resolve(null)).isEmpty();
    }

    @Test
    void humanAgentNumberBecomesTheDefaultWarmTarget() {
        TransferConfig config = TransferConfig.fromEnv(Env.of(TWILIO).with(Map.of("HUMAN_AGENT_NUMBER", "+14155550123")));
        assertThat(config.resolve(null)).contains(new TransferTarget("human", "tel:+14155550123", TransferMode.WARM));
        assertThat(config.resolve("HUMAN").orElseThrow().dialString()).isEqualTo("+14155550123");
    }

    @Test
    void onlyConfiguredNamesResolveNeverNumbersFromTheModel() {
        TransferConfig config = TransferConfig.fromEnv(Env.of(Map.of(
                "TRANSFER_MODE", "cold", "TRANSFER_TARGETS", "sales=+14155550100,support=sip:help@pbx.example.com")));
        assertThat(config.resolve("sales")).isPresent();
        assertThat(config.resolve("+19005550000")).isEmpty();
        assertThat(config.resolve("tel:+19005550000")).isEmpty();
        assertThat(config.resolve("sip:attacker@evil.example")).isEmpty();
    }

    @Test
    void warmTransfersRequireTwilioCredentials() {
        assertThatThrownBy(() -> TransferConfig.fromEnv(Env.of(Map.of("HUMAN_AGENT_NUMBER", "+14155550123"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("TWILIO_ACCOUNT_SID");
    }

    @Test
    void invalidNumberFailsNamingTheVariable() {
        assertThatThrownBy(() -> TransferConfig.fromEnv(Env.of(TWILIO).with(Map.of("HUMAN_AGENT_NUMBER", "call me"))))
                .hasMessageStartingWith("Invalid configuration: HUMAN_AGENT_NUMBER");
        assertThatThrownBy(() -> TransferConfig.fromEnv(Env.of(TWILIO).with(Map.of("TRANSFER_TARGETS", "x=notanumber"))))
                .hasMessageStartingWith("Invalid configuration: TRANSFER_TARGETS");
    }

    @Test
    void credentialsNeverPrintTheToken() {
        TransferConfig config = TransferConfig.fromEnv(Env.of(TWILIO).with(Map.of("HUMAN_AGENT_NUMBER", "+14155550123")));
        assertThat(config.toString()).doesNotContain("tok]").contains("redacted");
    }
}
