package ai.phoneagent.worker;

import ai.phoneagent.aws.AwsSettings;
import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.openai.OpenAiEndpoints;
import ai.phoneagent.tools.ToolCatalog;
import ai.phoneagent.tools.ToolRegistry;
import ai.phoneagent.worker.discord.DiscordSettings;
import ai.phoneagent.worker.events.CallEventsSettings;
import ai.phoneagent.worker.summary.SummarySettings;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything the session worker reads from its environment, validated at start-up. Every variable is read
 * through {@link Env}, so {@link Env#namesRead()} lists exactly what a deployment must provide.
 */
public record WorkerConfig(
        String workerId,
        String openAiApiKey,
        URI openAiBaseUrl,
        AwsSettings aws,
        String callsTable,
        String callsQueueUrl,
        Optional<String> welcomeMessage,
        int capacity,
        Duration leaseDuration,
        Duration leaseRenewInterval,
        int queueWaitSeconds,
        int healthPort,
        String healthHost,
        ToolCatalog tools,
        Optional<URI> twilioStatusCallbackUrl,
        DiscordSettings discord,
        Duration endCallDelay,
        Duration endCallTimeout,
        Duration shutdownTimeout,
        Duration pingInterval,
        String controlQueuePrefix,
        int controlQueueWaitSeconds,
        Duration controlSafetySweep,
        Duration sweepInterval,
        Duration orphanGrace,
        Duration heartbeatScan,
        Duration orphanDeadline,
        Duration receivedDeadline,
        Duration reattachWindow,
        Duration attachTimeout,
        int attachFailureLimit,
        Duration journalGiveUp,
        CallEventsSettings callEvents,
        SummarySettings summary) {

    public static final int DEFAULT_CAPACITY = 50;
    /** How long a worker's heartbeat stays good: after this much silence another worker takes its calls over. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(8);
    /** How often a worker beats (and looks at the others' beats). */
    public static final Duration DEFAULT_LEASE_RENEW = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REATTACH_WINDOW = Duration.ofSeconds(15);
    public static final Duration DEFAULT_ATTACH_TIMEOUT = Duration.ofSeconds(5);
    /** A socket that heard nothing this long is pinged; unanswered for half of it, it is dropped (≤ 9 s). */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_HEALTH_PORT = 8080;
    public static final String DEFAULT_HEALTH_HOST = "0.0.0.0";
    /** Spoken when {@code WELCOME_MESSAGE} is not set at all. */
    public static final String DEFAULT_WELCOME_MESSAGE = "Hello! Thanks for calling. How can I help you today?";
    public static final String DEFAULT_CONTROL_QUEUE_PREFIX = "call-control-";
    public static final int DEFAULT_CONTROL_QUEUE_WAIT_SECONDS = 20;
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(60);
    /**
     * The shortest gap between two looks at the others' heartbeats; a worker looks when the first beat it saw could
     * have gone stale, so a death is noticed within 50 ms of its beat going stale, at about one read per stale limit.
     */
    public static final Duration DEFAULT_HEARTBEAT_SCAN = Duration.ofSeconds(1);
    /** How long a call may stay {@code ORPHANED} with nobody taking it before it is hung up and ended {@code lost}. */
    public static final Duration DEFAULT_ORPHAN_DEADLINE = Duration.ofMinutes(5);
    /**
     * How often every hosted call's control queue is read for commands whose nudge was lost (±25 % jitter). A lost
     * nudge is rare (its send failed right after the command's own send); each sweep is one receive per hosted call,
     * so at 30 s it was most of an idle 5,000-call worker's work (167 receives a second).
     */
    public static final Duration DEFAULT_CONTROL_SAFETY_SWEEP = Duration.ofMinutes(2);
    /** A call still {@code RECEIVED} (accept never succeeded) this long after it rang is hung up and ended. */
    public static final Duration DEFAULT_RECEIVED_DEADLINE = Duration.ofMinutes(5);

    public WorkerConfig {
        if (!leaseRenewInterval.minus(leaseDuration).isNegative()) {
            throw new ConfigException("LEASE_RENEW_MS", "must be shorter than LEASE_DURATION_MS");
        }
        if (!controlQueuePrefix.matches("[A-Za-z0-9_\\-]{1,40}")) {
            throw new ConfigException("CONTROL_QUEUE_PREFIX", "must be 1-40 letters, digits, - or _");
        }
    }

    /** Reads and validates the worker's configuration; the first problem fails with one line naming it. */
    public static WorkerConfig fromEnv(Env env) {
        String workerId = env.optional("WORKER_ID").orElseGet(WorkerConfig::defaultWorkerId);
        if (!workerId.matches("[A-Za-z0-9_.:\\-]{1,128}")) {
            throw new ConfigException("WORKER_ID", "may only hold letters, digits, '.', ':', '_' or '-' (max 128)");
        }
        String apiKey = env.required("OPENAI_API_KEY");
        URI base = env.url("OPENAI_BASE_URL").orElse(OpenAiEndpoints.DEFAULT_BASE);
        AwsSettings aws = AwsSettings.fromEnv(env);
        String table = env.required("CALLS_TABLE");
        String queueUrl = env.url("CALLS_QUEUE_URL")
                .orElseThrow(() -> new ConfigException("CALLS_QUEUE_URL", "is required but not set")).toString();
        // unset: the default greeting; set but empty: no greeting at all
        Optional<String> welcome = env.declared("WELCOME_MESSAGE") ? env.optional("WELCOME_MESSAGE")
                : Optional.of(DEFAULT_WELCOME_MESSAGE);
        int capacity = env.intValue("WORKER_CAPACITY", DEFAULT_CAPACITY, 1, 10_000);
        Duration lease = env.millis("LEASE_DURATION_MS", DEFAULT_LEASE, Duration.ofMillis(500), Duration.ofMinutes(10));
        Duration renew = env.millis("LEASE_RENEW_MS", DEFAULT_LEASE_RENEW, Duration.ofMillis(100), Duration.ofMinutes(5));
        int wait = env.intValue("QUEUE_WAIT_SECONDS", 20, 0, 20);
        int port = env.intValue("HEALTH_PORT", DEFAULT_HEALTH_PORT, 0, 65_535);
        // every interface by default (the container's health check); the local stack binds loopback
        String healthHost = env.get("HEALTH_HOST", DEFAULT_HEALTH_HOST);
        if (!healthHost.matches("[A-Za-z0-9.:\\-\\[\\]]{1,255}")) {
            throw new ConfigException("HEALTH_HOST", "must be a host name or an IP address");
        }
        ToolCatalog tools = ToolCatalog.fromEnv(env);
        Optional<URI> statusCallback = env.url("TWILIO_STATUS_CALLBACK_URL");
        DiscordSettings discord = DiscordSettings.fromEnv(env);
        Duration endCallDelay = env.millis("END_CALL_DELAY_MS", Duration.ofMillis(1_500), Duration.ZERO, Duration.ofSeconds(30));
        Duration endCallTimeout = env.millis("END_CALL_TIMEOUT_MS", Duration.ofSeconds(15), Duration.ofMillis(100), Duration.ofMinutes(2));
        Duration shutdown = env.millis("SHUTDOWN_TIMEOUT_MS", Duration.ofSeconds(20), Duration.ofMillis(100), Duration.ofMinutes(2));
        Duration ping = env.millis("WS_PING_INTERVAL_MS", DEFAULT_PING_INTERVAL, Duration.ZERO, Duration.ofMinutes(5));
        String controlPrefix = env.get("CONTROL_QUEUE_PREFIX", DEFAULT_CONTROL_QUEUE_PREFIX);
        int controlWait = env.intValue("CONTROL_QUEUE_WAIT_SECONDS", DEFAULT_CONTROL_QUEUE_WAIT_SECONDS, 0, 20);
        Duration controlSweep = env.millis("CONTROL_SAFETY_SWEEP_MS", DEFAULT_CONTROL_SAFETY_SWEEP, Duration.ofSeconds(1),
                Duration.ofHours(1));
        Duration sweep = env.millis("SWEEP_INTERVAL_MS", DEFAULT_SWEEP_INTERVAL, Duration.ZERO, Duration.ofHours(1));
        if (sweep.isPositive() && sweep.toMillis() < 100) {
            throw new ConfigException("SWEEP_INTERVAL_MS", "must be 0 (off) or at least 100");
        }
        Duration grace = env.millis("ORPHAN_GRACE_MS", lease, Duration.ZERO, Duration.ofHours(1));
        Duration scan = env.millis("HEARTBEAT_SCAN_MS", DEFAULT_HEARTBEAT_SCAN, Duration.ofMillis(100), Duration.ofMinutes(1));
        Duration orphanDeadline = env.millis("ORPHAN_DEADLINE_MS", DEFAULT_ORPHAN_DEADLINE, Duration.ofSeconds(1),
                Duration.ofHours(24));
        Duration receivedDeadline = env.millis("RECEIVED_DEADLINE_MS", DEFAULT_RECEIVED_DEADLINE, Duration.ofSeconds(1),
                Duration.ofHours(24));
        Duration reattach = env.millis("REATTACH_WINDOW_MS", DEFAULT_REATTACH_WINDOW, Duration.ZERO, Duration.ofMinutes(5));
        Duration attachTimeout = env.millis("ATTACH_TIMEOUT_MS", DEFAULT_ATTACH_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(1));
        int failureLimit = env.intValue("ATTACH_FAILURE_LIMIT", 3, 1, 1_000);
        Duration journalGiveUp = env.millis("TRANSCRIPT_RETRY_MS", Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofHours(24));
        return new WorkerConfig(workerId, apiKey, base, aws, table, queueUrl, welcome, capacity, lease, renew, wait,
                port, healthHost, tools, statusCallback, discord, endCallDelay, endCallTimeout, shutdown, ping, controlPrefix,
                controlWait, controlSweep, sweep, grace, scan, orphanDeadline, receivedDeadline, reattach, attachTimeout,
                failureLimit, journalGiveUp, CallEventsSettings.fromEnv(env), SummarySettings.fromEnv(env));
    }

    /** The OpenAI URLs under the configured base. */
    public OpenAiEndpoints endpoints() {
        return new OpenAiEndpoints(openAiBaseUrl);
    }

    /** A copy with another worker id (several in-process workers in tests). */
    public WorkerConfig withWorkerId(String id) {
        return new WorkerConfig(id, openAiApiKey, openAiBaseUrl, aws, callsTable, callsQueueUrl, welcomeMessage,
                capacity, leaseDuration, leaseRenewInterval, queueWaitSeconds, healthPort, healthHost, tools,
                twilioStatusCallbackUrl, discord, endCallDelay, endCallTimeout, shutdownTimeout, pingInterval,
                controlQueuePrefix, controlQueueWaitSeconds, controlSafetySweep, sweepInterval, orphanGrace, heartbeatScan,
                orphanDeadline, receivedDeadline, reattachWindow, attachTimeout, attachFailureLimit, journalGiveUp, callEvents,
                summary);
    }

    private static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.\\-]", "-");
        } catch (Exception e) {
            host = "worker";
        }
        if (host.length() > 100) {
            host = host.substring(0, 100);
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public String toString() {
        // the API key and the Discord webhook token must never reach a log line
        return "WorkerConfig[workerId=" + workerId + ", openAiBaseUrl=" + openAiBaseUrl + ", callsTable=" + callsTable
                + ", capacity=" + capacity + ", reattachWindow=" + reattachWindow + ", leaseDuration=" + leaseDuration + ", leaseRenewInterval="
                + leaseRenewInterval + ", healthPort=" + healthPort + ", greeting=" + welcomeMessage.isPresent()
                + ", discord=" + discord + ", callEvents=" + callEvents + ", summaryModel=" + summary.model().orElse("off") + ", controlQueuePrefix=" + controlQueuePrefix + ", sweepInterval="
                + sweepInterval + ", orphanGrace=" + orphanGrace + ", heartbeatScan=" + heartbeatScan + ", orphanDeadline="
                + orphanDeadline + ", tools=" + ToolRegistry.of(tools).names() + "]";
    }
}
