package ai.phoneagent.control;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.config.Secrets;
import ai.phoneagent.control.outbound.OutboundSettings;
import ai.phoneagent.openai.OpenAiEndpoints;
import ai.phoneagent.tools.TransferConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Everything the control Lambda reads from its environment, validated once per container.
 *
 * @param callsTable              {@code CALLS_TABLE} (required)
 * @param controlQueuePrefix      {@code CONTROL_QUEUE_PREFIX} (required; the workers' per-call queue prefix)
 * @param controlApiToken         {@code CONTROL_API_TOKEN}; without it every /control route answers 503
 * @param authDisabled            {@code CONTROL_AUTH_DISABLED} (default false; local endpoints only, and ignored
 *                                when a token is set)
 * @param ackTimeout              {@code CONTROL_ACK_TIMEOUT_MS} (default 5000, 0..6000): how long a command request
 *                                waits for the worker's DONE/FAILED before answering 202
 * @param recentDays              {@code CONTROL_RECENT_DAYS} (default 7, 1..90): how many UTC days of ended calls
 *                                {@code ?status=recent} walks back
 * @param transfer                {@code HUMAN_AGENT_NUMBER}, {@code TRANSFER_TARGETS}, {@code TRANSFER_MODE},
 *                                {@code TRANSFER_DEFAULT_TARGET}, {@code TWILIO_HUMAN_LABEL}, Twilio credentials
 * @param twilioAuthToken         {@code TWILIO_AUTH_TOKEN}: the key of {@code X-Twilio-Signature}
 * @param twilioStatusCallbackUrl {@code TWILIO_STATUS_CALLBACK_URL}: the public URL of
 *                                {@code POST /twilio/conference-events} exactly as Twilio calls (and signs) it
 * @param humanLabel              the conference participant label of the human ({@code TWILIO_HUMAN_LABEL})
 * @param warmTransferAiLeaves    {@code WARM_TRANSFER_AI_LEAVES} (default true): when the human joins, tell the
 *                                worker to hang up the AI leg
 * @param cursorKey               {@code CURSOR_SIGNING_KEY}, else derived from {@code CONTROL_API_TOKEN}, else
 *                                random per container (local development)
 * @param aws                     region and endpoint overrides ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL*})
 * @param outbound                outbound calling: caller id, connector URI, guardrails ({@link OutboundSettings})
 * @param openAiApiKey            {@code OPENAI_API_KEY}: lets the control side hang up (or cold-transfer) a call no
 *                                worker holds; without it such commands answer 409 {@code call_not_ready} or 202
 * @param openAiBaseUrl           {@code OPENAI_BASE_URL} (default the public API)
 * @param callEventsQueueUrl      {@code CALL_EVENTS_QUEUE_URL}: where the replay route re-enqueues a call's events;
 *                                unset: the route answers 503 {@code call_events_not_configured}
 */
public record ControlConfig(
        String callsTable,
        String controlQueuePrefix,
        Optional<Secret> controlApiToken,
        boolean authDisabled,
        Duration ackTimeout,
        int recentDays,
        TransferConfig transfer,
        Optional<Secret> twilioAuthToken,
        Optional<URI> twilioStatusCallbackUrl,
        String humanLabel,
        boolean warmTransferAiLeaves,
        Secret cursorKey,
        AwsSettings aws,
        OutboundSettings outbound,
        Optional<Secret> openAiApiKey,
        URI openAiBaseUrl,
        Optional<String> callEventsQueueUrl) {

    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofMillis(5000);
    /** Well under the Cloudflare proxy's 8 s upstream timeout, leaving time for the reads and the reply. */
    public static final Duration MAX_ACK_TIMEOUT = Duration.ofMillis(6000);
    public static final int DEFAULT_RECENT_DAYS = 7;
    static final int MIN_TOKEN_LENGTH = 16;

    /** Reads and validates every variable from {@code env} (secrets already resolved); no network I/O. */
    public static ControlConfig fromEnv(Env env) {
        String table = env.required("CALLS_TABLE");
        String prefix = env.required("CONTROL_QUEUE_PREFIX");
        if (!prefix.matches("[A-Za-z0-9_\\-]{1,40}")) {
            throw new ConfigException("CONTROL_QUEUE_PREFIX", "must be 1-40 letters, digits, - or _");
        }
        Optional<Secret> token = env.optional("CONTROL_API_TOKEN").map(Secret::new);
        if (token.isPresent() && token.get().reveal().length() < MIN_TOKEN_LENGTH) {
            throw new ConfigException("CONTROL_API_TOKEN", "must be at least " + MIN_TOKEN_LENGTH + " characters");
        }
        boolean authDisabled = env.bool("CONTROL_AUTH_DISABLED", false);
        Duration ackTimeout = env.millis("CONTROL_ACK_TIMEOUT_MS", DEFAULT_ACK_TIMEOUT, Duration.ZERO, MAX_ACK_TIMEOUT);
        int recentDays = env.intValue("CONTROL_RECENT_DAYS", DEFAULT_RECENT_DAYS, 1, 90);
        TransferConfig transfer = TransferConfig.fromEnv(env);
        Optional<Secret> twilioToken = env.optional("TWILIO_AUTH_TOKEN").map(Secret::new);
        Optional<URI> callbackUrl = env.url("TWILIO_STATUS_CALLBACK_URL");
        callbackUrl.ifPresent(uri -> {
            String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                throw new ConfigException("TWILIO_STATUS_CALLBACK_URL", "must be an http(s) URL");
            }
        });
        boolean aiLeaves = env.bool("WARM_TRANSFER_AI_LEAVES", true);
        Optional<String> cursorKeyValue = env.optional("CURSOR_SIGNING_KEY");
        if (cursorKeyValue.isPresent() && cursorKeyValue.get().length() < MIN_TOKEN_LENGTH) {
            throw new ConfigException("CURSOR_SIGNING_KEY", "must be at least " + MIN_TOKEN_LENGTH + " characters");
        }
        AwsSettings aws = AwsSettings.fromEnv(env);
        if (authDisabled && token.isEmpty() && aws.sqsEndpoint().isEmpty() && aws.dynamoEndpoint().isEmpty()) {
            throw new ConfigException("CONTROL_AUTH_DISABLED",
                    "may only be true against local AWS endpoints (AWS_ENDPOINT_URL*); set CONTROL_API_TOKEN instead");
        }
        Secret cursorKey = cursorKeyValue.map(Secret::new)
                .or(() -> token.map(t -> new Secret(derive(t.reveal(), "phone-agent control cursor key v1"))))
                .orElseGet(ControlConfig::randomKey);
        Optional<Secret> openAiKey = env.optional("OPENAI_API_KEY").map(Secret::new);
        URI openAiBase = env.url("OPENAI_BASE_URL").orElse(OpenAiEndpoints.DEFAULT_BASE);
        return new ControlConfig(table, prefix, token, authDisabled, ackTimeout, recentDays, transfer, twilioToken,
                callbackUrl, transfer.humanLabel(), aiLeaves, cursorKey, aws, OutboundSettings.fromEnv(env, callbackUrl),
                openAiKey, openAiBase, env.url("CALL_EVENTS_QUEUE_URL").map(URI::toString));
    }

    /**
     * The process environment with secrets from {@code SECRETS_ARN} (Secrets Manager, fetched once) filled in
     * beneath it, then {@link #fromEnv}.
     */
    public static ControlConfig load(Env raw) {
        Env resolved = Secrets.resolve(raw, arn -> {
            try (var secrets = new AwsClients(AwsSettings.fromEnv(raw)).secrets()) {
                return secrets.getSecretValue(b -> b.secretId(arn)).secretString();
            }
        });
        return fromEnv(resolved);
    }

    /** True when /control routes require the bearer token (any token configured). */
    public boolean authRequired() {
        return controlApiToken.isPresent();
    }

    static String derive(String secret, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static Secret randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return new Secret(Base64.getEncoder().encodeToString(bytes));
    }

    @Override
    public String toString() {
        return "ControlConfig[callsTable=" + callsTable + ", controlQueuePrefix=" + controlQueuePrefix
                + ", authRequired=" + authRequired() + ", authDisabled=" + authDisabled
                + ", ackTimeout=" + ackTimeout + ", recentDays=" + recentDays
                + ", transferTargets=" + transfer.targetNames()
                + ", twilioCallback=" + twilioStatusCallbackUrl.isPresent() + ", humanLabel=" + humanLabel
                + ", warmTransferAiLeaves=" + warmTransferAiLeaves + ", region=" + aws.region() + "]";
    }
}
