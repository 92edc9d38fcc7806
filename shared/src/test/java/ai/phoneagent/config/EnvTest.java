package ai.phoneagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {
    @Test
    void emptyOptionalValueMeansOff() {
        Env env = Env.of(Map.of("WELCOME_MESSAGE", "", "DISCORD_WEBHOOK_URL", "   "));
        assertThat(env.optional("WELCOME_MESSAGE")).isEmpty();
        assertThat(env.url("DISCORD_WEBHOOK_URL")).isEmpty();
    }

    @Test
    void missingRequiredValueFailsWithOneLineNamingTheVariable() {
        assertThatThrownBy(() -> Env.of(Map.of()).required("CALLS_TABLE"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid configuration: CALLS_TABLE is required but not set");
    }

    @Test
    void outOfRangeNumberFailsWithoutEchoingTheValue() {
        Env env = Env.of(Map.of("WORKER_CAPACITY", "999999"));
        assertThatThrownBy(() -> env.intValue("WORKER_CAPACITY", 50, 1, 5000))
                .hasMessage("Invalid configuration: WORKER_CAPACITY must be between 1 and 5000");
        assertThatThrownBy(() -> Env.of(Map.of("PORT", "eighty")).intValue("PORT", 3000, 1, 65535))
                .hasMessage("Invalid configuration: PORT must be a whole number");
    }

    @Test
    void invalidUrlIsRejectedNamingTheVariableOnly() {
        Env env = Env.of(Map.of("OPENAI_BASE_URL", "ftp://user:hunter2@example.com"));
        assertThatThrownBy(() -> env.url("OPENAI_BASE_URL"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OPENAI_BASE_URL")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void parsesBooleansAndMillis() {
        Env env = Env.of(Map.of("A", "yes", "B", "off", "C", "250"));
        assertThat(env.bool("A", false)).isTrue();
        assertThat(env.bool("B", true)).isFalse();
        assertThat(env.bool("MISSING", true)).isTrue();
        assertThat(env.millis("C", Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(5))).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> Env.of(Map.of("A", "maybe")).bool("A", false)).hasMessage("Invalid configuration: A must be true or false");
    }

    @Test
    void remembersEveryNameRead() {
        Env env = Env.of(Map.of("X", "1"));
        env.optional("X");
        env.get("Y", "d");
        assertThat(env.namesRead()).containsExactly("X", "Y");
    }

    @Test
    void secretsFillOnlyUnsetVariables() {
        Env env = Env.of(Map.of("SECRETS_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:app", "OPENAI_MODEL", "m"));
        Env resolved = Secrets.resolve(env, arn -> "{\"OPENAI_API_KEY\":\"sk-from-secret\",\"OPENAI_MODEL\":\"ignored\"}");
        assertThat(resolved.required("OPENAI_API_KEY")).isEqualTo("sk-from-secret");
        assertThat(resolved.required("OPENAI_MODEL")).isEqualTo("m");
    }

    @Test
    void unreadableSecretFailsNamingTheVariableNotTheContent() {
        Env env = Env.of(Map.of("SECRETS_ARN", "arn"));
        assertThatThrownBy(() -> Secrets.resolve(env, arn -> "not json sk-leak"))
                .hasMessage("Invalid configuration: SECRETS_ARN must hold a JSON object of variable names to strings");
        assertThatThrownBy(() -> Secrets.resolve(env, arn -> {
            throw new IllegalStateException("AccessDenied for sk-leak");
        })).hasMessageNotContaining("sk-leak").hasMessageContaining("SECRETS_ARN");
    }

    @Test
    void withoutSecretsArnNothingIsFetched() {
        Env env = Env.of(Map.of());
        assertThat(Secrets.resolve(env, arn -> {
            throw new AssertionError("must not fetch");
        })).isSameAs(env);
    }
}
