package ai.phoneagent.webhook;

import ai.phoneagent.agent.AgentProfile;
import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.openai.OpenAiEndpoints;
import ai.phoneagent.tools.ToolRegistry;
import java.time.Duration;

/** Everything the webhook Lambda reads from its environment, validated at start-up. */
public record WebhookConfig(String openAiApiKey, WebhookSecret webhookSecret, OpenAiEndpoints openAi,
                            AgentProfile profile, String callsTable, String callsQueueUrl, AwsSettings aws,
                            Duration acceptDeadline, int maxBodyBytes) {
    /** Reads and validates the configuration; failures name the variable. */
    public static WebhookConfig fromEnv(Env env) {
        String apiKey = env.required("OPENAI_API_KEY");
        WebhookSecret secret;
        try {
            secret = WebhookSecret.of(env.required("OPENAI_WEBHOOK_SECRET"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("OPENAI_WEBHOOK_SECRET", "is not a valid webhook secret (whsec_ + base64)");
        }
        OpenAiEndpoints openAi = new OpenAiEndpoints(env.url("OPENAI_BASE_URL").orElse(OpenAiEndpoints.DEFAULT_BASE));
        AgentProfile profile = AgentProfile.fromEnv(env, ToolRegistry.fromEnv(env));
        return new WebhookConfig(apiKey, secret, openAi, profile,
                env.required("CALLS_TABLE"),
                env.url("CALLS_QUEUE_URL").orElseThrow(() -> new ConfigException("CALLS_QUEUE_URL", "is required but not set")).toString(),
                AwsSettings.fromEnv(env),
                env.millis("ACCEPT_DEADLINE_MS", Duration.ofMillis(4_000), Duration.ofMillis(500), Duration.ofMillis(8_000)),
                env.intValue("WEBHOOK_MAX_BODY_BYTES", 256 * 1024, 1024, 1024 * 1024));
    }

    @Override
    public String toString() {
        return "WebhookConfig[openAi=" + openAi.baseUrl() + ", callsTable=" + callsTable + ", secrets=redacted]";
    }
}
