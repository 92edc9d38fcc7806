package ai.phoneagent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.testing.TestKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlConfigTest {

    private static Map<String, String> env(String... overrides) {
        Map<String, String> env = TestConfigs.baseEnv();
        for (int i = 0; i < overrides.length; i += 2) {
            if (overrides[i + 1] == null) {
                env.remove(overrides[i]);
            } else {
                env.put(overrides[i], overrides[i + 1]);
            }
        }
        return env;
    }

    private static void assertRejects(String variable, String... overrides) {
        assertThatThrownBy(() -> ControlConfig.fromEnv(Env.of(env(overrides))))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.variable()).isEqualTo(variable);
                    assertThat(e.getMessage()).contains(variable).doesNotContain(TestKeys.CONTROL_API_TOKEN);
                });
    }

    @Test
    void defaultsApplyWhenOptionalVariablesAreUnset() {
        ControlConfig config = ControlConfig.fromEnv(Env.of(env()));
        assertThat(config.ackTimeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(config.recentDays()).isEqualTo(7);
        assertThat(config.warmTransferAiLeaves()).isTrue();
        assertThat(config.authDisabled()).isFalse();
        assertThat(config.authRequired()).isTrue();
        assertThat(config.humanLabel()).isEqualTo("human agent");
        assertThat(config.transfer().targetNames()).containsExactly("human", "sales");
        assertThat(config.twilioStatusCallbackUrl()).hasValueSatisfying(u ->
                assertThat(u.toString()).isEqualTo(TestConfigs.CALLBACK_URL));
    }

    @Test
    void everyVariableIsReadThroughEnvSoDeploymentChecksCanListThem() {
        Env env = Env.of(env());
        ControlConfig.fromEnv(env);
        assertThat(env.namesRead()).contains("CALLS_TABLE", "CONTROL_QUEUE_PREFIX", "CONTROL_API_TOKEN",
                "CONTROL_AUTH_DISABLED", "CONTROL_ACK_TIMEOUT_MS", "CONTROL_RECENT_DAYS", "TWILIO_AUTH_TOKEN",
                "TWILIO_ACCOUNT_SID", "TWILIO_STATUS_CALLBACK_URL", "TWILIO_HUMAN_LABEL", "WARM_TRANSFER_AI_LEAVES",
                "CURSOR_SIGNING_KEY", "HUMAN_AGENT_NUMBER", "TRANSFER_TARGETS", "TRANSFER_MODE", "AWS_REGION",
                "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_DYNAMODB");
    }

    @Test
    void theAckTimeoutIsBoundedWellUnderTheProxyTimeout() {
        assertThat(ControlConfig.fromEnv(Env.of(env("CONTROL_ACK_TIMEOUT_MS", "0"))).ackTimeout()).isZero();
        assertThat(ControlConfig.fromEnv(Env.of(env("CONTROL_ACK_TIMEOUT_MS", "6000"))).ackTimeout())
                .isEqualTo(Duration.ofSeconds(6));
        assertRejects("CONTROL_ACK_TIMEOUT_MS", "CONTROL_ACK_TIMEOUT_MS", "8000");
        assertRejects("CONTROL_ACK_TIMEOUT_MS", "CONTROL_ACK_TIMEOUT_MS", "-1");
        assertRejects("CONTROL_ACK_TIMEOUT_MS", "CONTROL_ACK_TIMEOUT_MS", "soon");
    }

    @Test
    void invalidValuesFailNamingTheVariable() {
        assertRejects("CALLS_TABLE", "CALLS_TABLE", null);
        assertRejects("CONTROL_QUEUE_PREFIX", "CONTROL_QUEUE_PREFIX", null);
        assertRejects("CONTROL_QUEUE_PREFIX", "CONTROL_QUEUE_PREFIX", "bad prefix!");
        assertRejects("CONTROL_API_TOKEN", "CONTROL_API_TOKEN", "short");
        assertRejects("CURSOR_SIGNING_KEY", "CURSOR_SIGNING_KEY", "short");
        assertRejects("CONTROL_AUTH_DISABLED", "CONTROL_AUTH_DISABLED", "maybe");
        assertRejects("CONTROL_RECENT_DAYS", "CONTROL_RECENT_DAYS", "365");
        assertRejects("TWILIO_STATUS_CALLBACK_URL", "TWILIO_STATUS_CALLBACK_URL", "not a url");
        assertRejects("WARM_TRANSFER_AI_LEAVES", "WARM_TRANSFER_AI_LEAVES", "perhaps");
    }

    @Test
    void authCanOnlyBeDisabledAgainstLocalEndpoints() {
        ControlConfig local = ControlConfig.fromEnv(Env.of(env("CONTROL_API_TOKEN", null,
                "CONTROL_AUTH_DISABLED", "true")));
        assertThat(local.authDisabled()).isTrue();
        assertThat(local.authRequired()).isFalse();
        assertRejects("CONTROL_AUTH_DISABLED", "CONTROL_API_TOKEN", null, "CONTROL_AUTH_DISABLED", "true",
                "AWS_ENDPOINT_URL_SQS", null, "AWS_ENDPOINT_URL_DYNAMODB", null, "AWS_REGION", "eu-west-1");
    }

    @Test
    void theCursorKeyIsDerivedFromTheTokenUnlessGiven() {
        ControlConfig derived = ControlConfig.fromEnv(Env.of(env()));
        ControlConfig again = ControlConfig.fromEnv(Env.of(env()));
        assertThat(derived.cursorKey()).isEqualTo(again.cursorKey());
        assertThat(derived.cursorKey().reveal()).isNotEqualTo(TestKeys.CONTROL_API_TOKEN);
        ControlConfig given = ControlConfig.fromEnv(Env.of(env("CURSOR_SIGNING_KEY", "cursor-key-0123456789abcdef")));
        assertThat(given.cursorKey().reveal()).isEqualTo("cursor-key-0123456789abcdef");
    }

    @Test
    void toStringNeverShowsSecrets() {
        Map<String, String> values = new HashMap<>(env("CURSOR_SIGNING_KEY", "cursor-key-0123456789abcdef"));
        String text = ControlConfig.fromEnv(Env.of(values)).toString();
        assertThat(TestKeys.containsSecret(text)).isFalse();
        assertThat(text).doesNotContain("cursor-key-0123456789abcdef");
        assertThat(new Secret("x").toString()).isEqualTo("Secret[redacted]");
    }
}
