package ai.phoneagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.testing.TestKeys;
import ai.phoneagent.worker.realtime.RealtimeConnector;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {
    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("OPENAI_API_KEY", TestKeys.OPENAI_API_KEY);
        env.put("CALLS_TABLE", "calls");
        env.put("CALLS_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/calls");
        env.put("AWS_REGION", "us-east-1");
        return env;
    }

    private static WorkerConfig config(Map<String, String> overrides) {
        Map<String, String> env = minimal();
        env.putAll(overrides);
        return WorkerConfig.fromEnv(Env.of(env));
    }

    @Test
    void defaults_suit_production() {
        WorkerConfig config = config(Map.of());
        assertThat(config.capacity()).isEqualTo(50);
        // a dead worker's calls are taken over within 8 s of silence + one 2 s look, re-attached within 15 s
        assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(8));
        assertThat(config.leaseRenewInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.reattachWindow()).isEqualTo(Duration.ofSeconds(15));
        try (RealtimeConnector connector = new RealtimeConnector(config.endpoints(), "sk-test",
                config.pingInterval())) {
            assertThat(connector.silenceDetection()).as("a silent socket is noticed within 10 s")
                    .hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(10)));
        }
        assertThat(config.attachFailureLimit()).isEqualTo(3);
        assertThat(config.healthPort()).isEqualTo(8080);
        assertThat(config.healthHost()).as("the container's health check reaches every interface").isEqualTo("0.0.0.0");
        assertThat(config.queueWaitSeconds()).isEqualTo(20);
        assertThat(config.openAiBaseUrl().toString()).isEqualTo("https://api.openai.com");
        assertThat(config.welcomeMessage()).contains(WorkerConfig.DEFAULT_WELCOME_MESSAGE);
        assertThat(config.discord().enabled()).isFalse();
        assertThat(config.discord().maskNumbers()).isTrue();
        assertThat(config.workerId()).isNotBlank();
    }

    @Test
    void an_empty_welcome_message_turns_the_greeting_off() {
        assertThat(config(Map.of("WELCOME_MESSAGE", "")).welcomeMessage()).isEmpty();
        assertThat(config(Map.of("WELCOME_MESSAGE", "Hi, this is Acme.")).welcomeMessage()).contains("Hi, this is Acme.");
    }

    @Test
    void every_setting_is_read_from_its_variable() {
        WorkerConfig config = config(Map.of("WORKER_CAPACITY", "7", "LEASE_DURATION_MS", "4000",
                "LEASE_RENEW_MS", "1000", "HEALTH_PORT", "0", "WELCOME_MESSAGE", "Hi!", "WORKER_ID", "w-1",
                "OPENAI_BASE_URL", "http://127.0.0.1:9999", "DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/1/tok",
                "DISCORD_MASK_NUMBERS", "false", "QUEUE_WAIT_SECONDS", "1"));
        assertThat(config.capacity()).isEqualTo(7);
        assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(4));
        assertThat(config.leaseRenewInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.healthPort()).isZero();
        assertThat(config.welcomeMessage()).contains("Hi!");
        assertThat(config.workerId()).isEqualTo("w-1");
        assertThat(config.discord().enabled()).isTrue();
        assertThat(config.discord().maskNumbers()).isFalse();
        assertThat(config.queueWaitSeconds()).isEqualTo(1);
        assertThat(config.endpoints().realtimeSocket("rtc_1").toString()).isEqualTo("ws://127.0.0.1:9999/v1/realtime?call_id=rtc_1");
    }

    @Test
    void a_missing_api_key_fails_naming_the_variable() {
        Map<String, String> env = minimal();
        env.remove("OPENAI_API_KEY");
        assertThatThrownBy(() -> WorkerConfig.fromEnv(Env.of(env)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("OPENAI_API_KEY");
    }

    @Test
    void a_missing_table_or_queue_fails_naming_the_variable() {
        Map<String, String> noTable = minimal();
        noTable.remove("CALLS_TABLE");
        assertThatThrownBy(() -> WorkerConfig.fromEnv(Env.of(noTable))).hasMessageContaining("CALLS_TABLE");
        Map<String, String> noQueue = minimal();
        noQueue.remove("CALLS_QUEUE_URL");
        assertThatThrownBy(() -> WorkerConfig.fromEnv(Env.of(noQueue))).hasMessageContaining("CALLS_QUEUE_URL");
    }

    @Test
    void lease_renewal_must_come_before_the_lease_lapses() {
        assertThatThrownBy(() -> config(Map.of("LEASE_DURATION_MS", "5000", "LEASE_RENEW_MS", "5000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("LEASE_RENEW_MS");
    }

    @Test
    void out_of_range_numbers_fail_naming_the_variable() {
        assertThatThrownBy(() -> config(Map.of("WORKER_CAPACITY", "0"))).hasMessageContaining("WORKER_CAPACITY");
        assertThatThrownBy(() -> config(Map.of("HEALTH_PORT", "70000"))).hasMessageContaining("HEALTH_PORT");
        assertThatThrownBy(() -> config(Map.of("HEALTH_HOST", "127.0.0.1/8"))).hasMessageContaining("HEALTH_HOST");
        assertThat(config(Map.of("HEALTH_HOST", "127.0.0.1")).healthHost()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> config(Map.of("DISCORD_MASK_NUMBERS", "maybe"))).hasMessageContaining("DISCORD_MASK_NUMBERS");
        assertThatThrownBy(() -> config(Map.of("WORKER_ID", "bad id with spaces"))).hasMessageContaining("WORKER_ID");
    }

    @Test
    void warm_transfer_without_twilio_credentials_fails_at_start() {
        assertThatThrownBy(() -> config(Map.of("HUMAN_AGENT_NUMBER", "+15551234567")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("TWILIO_ACCOUNT_SID");
    }

    @Test
    void to_string_never_shows_secrets() {
        WorkerConfig config = config(Map.of("DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/1/SECRET-TOKEN"));
        assertThat(config.toString()).doesNotContain(TestKeys.OPENAI_API_KEY).doesNotContain("SECRET-TOKEN");
    }

    @Test
    void every_variable_the_worker_reads_is_listed_for_deployment_checks() {
        Env env = Env.of(minimal());
        WorkerConfig.fromEnv(env);
        assertThat(env.namesRead()).contains("OPENAI_API_KEY", "OPENAI_BASE_URL", "CALLS_TABLE", "CALLS_QUEUE_URL",
                "WELCOME_MESSAGE", "WORKER_CAPACITY", "LEASE_DURATION_MS", "LEASE_RENEW_MS", "HEALTH_PORT",
                "HEALTH_HOST", "DISCORD_WEBHOOK_URL", "DISCORD_MASK_NUMBERS", "TWILIO_STATUS_CALLBACK_URL", "TWILIO_HUMAN_LABEL",
                "HUMAN_AGENT_NUMBER", "WORKER_ID", "AWS_REGION", "CONTROL_QUEUE_PREFIX", "CONTROL_QUEUE_WAIT_SECONDS",
                "SWEEP_INTERVAL_MS", "ORPHAN_GRACE_MS", "REATTACH_WINDOW_MS", "ATTACH_TIMEOUT_MS", "ATTACH_FAILURE_LIMIT",
                "TRANSCRIPT_RETRY_MS", "CONTROL_SAFETY_SWEEP_MS", "RECEIVED_DEADLINE_MS");
    }

    @Test
    void control_queue_and_sweep_settings_have_defaults_and_bounds() {
        WorkerConfig defaults = config(Map.of("LEASE_DURATION_MS", "12000"));
        assertThat(defaults.controlQueuePrefix()).isEqualTo("call-control-");
        assertThat(defaults.controlQueueWaitSeconds()).isEqualTo(20);
        assertThat(defaults.sweepInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.orphanGrace()).as("one lease duration").isEqualTo(Duration.ofSeconds(12));
        assertThat(defaults.controlSafetySweep()).isEqualTo(Duration.ofMinutes(2));
        assertThat(defaults.receivedDeadline()).isEqualTo(Duration.ofMinutes(5));

        WorkerConfig set = config(Map.of("CONTROL_QUEUE_PREFIX", "ctl-prod-", "CONTROL_QUEUE_WAIT_SECONDS", "5",
                "SWEEP_INTERVAL_MS", "0", "ORPHAN_GRACE_MS", "45000", "CONTROL_SAFETY_SWEEP_MS", "5000",
                "RECEIVED_DEADLINE_MS", "20000"));
        assertThat(set.controlQueuePrefix()).isEqualTo("ctl-prod-");
        assertThat(set.controlQueueWaitSeconds()).isEqualTo(5);
        assertThat(set.sweepInterval()).isZero();
        assertThat(set.orphanGrace()).isEqualTo(Duration.ofSeconds(45));
        assertThat(set.controlSafetySweep()).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.receivedDeadline()).isEqualTo(Duration.ofSeconds(20));
        assertThat(set.withWorkerId("w-2").controlSafetySweep()).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.withWorkerId("w-2").controlQueuePrefix()).isEqualTo("ctl-prod-");

        assertThatThrownBy(() -> config(Map.of("CONTROL_QUEUE_PREFIX", "bad prefix!")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CONTROL_QUEUE_PREFIX");
        assertThatThrownBy(() -> config(Map.of("CONTROL_QUEUE_WAIT_SECONDS", "21")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CONTROL_QUEUE_WAIT_SECONDS");
        assertThatThrownBy(() -> config(Map.of("SWEEP_INTERVAL_MS", "50")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SWEEP_INTERVAL_MS");
        assertThatThrownBy(() -> config(Map.of("CONTROL_SAFETY_SWEEP_MS", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CONTROL_SAFETY_SWEEP_MS");
        assertThatThrownBy(() -> config(Map.of("RECEIVED_DEADLINE_MS", "500")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("RECEIVED_DEADLINE_MS");
        assertThatThrownBy(() -> config(Map.of("ORPHAN_GRACE_MS", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ORPHAN_GRACE_MS");
    }
}
