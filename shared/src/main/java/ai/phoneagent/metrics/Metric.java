package ai.phoneagent.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Every metric the system emits: its CloudWatch name, unit, emitting part and dimensions. The one place the names
 * live: code records through these constants, and the template checks hold every dashboard widget and alarm to
 * them (a name, namespace or dimension set nothing emits fails the build).
 *
 * <p>Each measurement is emitted under two dimension sets (see {@link #dimensionSets()}): {@code [Service]} for
 * totals and alarms, and {@code [Service, …dimensions]} for the breakdown.
 */
public enum Metric {
    // ---- webhook-lambda
    /** Signed-or-not deliveries reaching the webhook route. */
    WEBHOOKS_RECEIVED("WebhooksReceived", Unit.COUNT, MetricSource.WEBHOOK),
    /** Deliveries answered 4xx (bad signature, malformed, too large, wrong route or method), by reason. */
    WEBHOOKS_REJECTED("WebhooksRejected", Unit.COUNT, MetricSource.WEBHOOK, Dimension.REASON),
    /** Deliveries of a call an earlier delivery already handled (OpenAI redelivers until a 2xx). */
    WEBHOOK_DUPLICATES("WebhookDuplicates", Unit.COUNT, MetricSource.WEBHOOK),
    /** OpenAI's accept round trip (retries included), by how it ended ({@code done}, {@code gone}, {@code refused}, {@code unavailable}). */
    ACCEPT_LATENCY("AcceptLatency", Unit.MILLISECONDS, MetricSource.WEBHOOK, Dimension.CALL_DIRECTION, Dimension.OUTCOME),
    /** Deliveries that could not take a call to the queue: {@code refused}, {@code unavailable}, {@code enqueue_failed}, {@code internal_error}. */
    ACCEPT_FAILURES("AcceptFailures", Unit.COUNT, MetricSource.WEBHOOK, Dimension.REASON),
    /** Calls put on the calls queue by intake. */
    CALLS_QUEUED("CallsQueued", Unit.COUNT, MetricSource.WEBHOOK, Dimension.CALL_DIRECTION),

    // ---- session-worker
    /** From the call's accept to the greeting sent on its socket: what the caller waits in silence. */
    GREETING_WAIT("GreetingWait", Unit.MILLISECONDS, MetricSource.WORKER, Dimension.CALL_DIRECTION),
    /** From the call's accept (intake queues it at once) to a worker's claim, for calls greeted on that claim. */
    QUEUE_WAIT("QueueWait", Unit.MILLISECONDS, MetricSource.WORKER, Dimension.CALL_DIRECTION),
    /** Calls a worker hosts, sampled every {@code METRICS_INTERVAL}; Sum over workers per sample period, Maximum per worker. */
    LIVE_CALLS("LiveCalls", Unit.COUNT, MetricSource.WORKER),
    /** A worker's configured capacity ({@code WORKER_CAPACITY}), sampled with {@link #LIVE_CALLS}. */
    WORKER_CAPACITY("WorkerCapacity", Unit.COUNT, MetricSource.WORKER),
    /** Sockets of a live call opened again by its owner after a drop. */
    REATTACHES("Reattaches", Unit.COUNT, MetricSource.WORKER),
    /** Calls a worker handed to another ({@code ORPHANED} + message), by why. */
    HANDOFFS("Handoffs", Unit.COUNT, MetricSource.WORKER, Dimension.REASON),
    /** Calls of a silent worker freed by a live one, by how ({@code owner_heartbeat_stale}: take-over; {@code sweep}). */
    FAILOVERS("Failovers", Unit.COUNT, MetricSource.WORKER, Dimension.REASON),
    /** Calls that ended, by direction and end reason. */
    CALLS_ENDED("CallsEnded", Unit.COUNT, MetricSource.WORKER, Dimension.CALL_DIRECTION, Dimension.REASON),
    /** Transcript turns written to DynamoDB. */
    TURNS_STORED("TurnsStored", Unit.COUNT, MetricSource.WORKER),
    /** Transcript or event writes that failed and were retried. */
    STORE_RETRIES("StoreRetries", Unit.COUNT, MetricSource.WORKER),
    /** Messages Discord accepted. */
    DISCORD_POSTS("DiscordPosts", Unit.COUNT, MetricSource.WORKER),
    /** Discord posts tried again (429 or a transient failure). */
    DISCORD_RETRIES("DiscordRetries", Unit.COUNT, MetricSource.WORKER),
    /** Discord messages given up on, by why ({@code buffer_full}, {@code rate_limited}, {@code refused}, {@code unavailable}, {@code failed}, {@code shutdown}). */
    DISCORD_DROPS("DiscordDrops", Unit.COUNT, MetricSource.WORKER, Dimension.REASON),
    /** Tool calls by tool and outcome ({@code ok}, {@code error}, {@code unknown}). */
    TOOL_CALLS("ToolCalls", Unit.COUNT, MetricSource.WORKER, Dimension.TOOL, Dimension.OUTCOME),
    /** How long a tool ran, by tool. */
    TOOL_LATENCY("ToolLatency", Unit.MILLISECONDS, MetricSource.WORKER, Dimension.TOOL),
    /** Call events the receiver acknowledged (2xx), by type. */
    CALL_EVENT_DELIVERIES("CallEventDeliveries", Unit.COUNT, MetricSource.WORKER, Dimension.EVENT_TYPE),
    /** Call events given up on ({@code rejected}: a 4xx; {@code max_age}: retries spent), by type and reason. */
    CALL_EVENT_FAILURES("CallEventDeliveryFailures", Unit.COUNT, MetricSource.WORKER, Dimension.EVENT_TYPE, Dimension.REASON),

    // ---- control-lambda
    /** Operator commands by type and outcome ({@code done}, {@code pending}, or the error code). */
    COMMANDS("Commands", Unit.COUNT, MetricSource.CONTROL, Dimension.COMMAND_TYPE, Dimension.OUTCOME),
    /** From the command request to its answer, by type and outcome. */
    COMMAND_LATENCY("CommandLatency", Unit.MILLISECONDS, MetricSource.CONTROL, Dimension.COMMAND_TYPE, Dimension.OUTCOME);

    /** The CloudWatch namespace of every metric (the template's dashboard and alarms use the same). */
    public static final String NAMESPACE = "PhoneAgent";

    /** EMF units used here (CloudWatch's names). */
    public enum Unit {
        COUNT("Count"),
        MILLISECONDS("Milliseconds");

        private final String cloudWatchName;

        Unit(String cloudWatchName) {
            this.cloudWatchName = cloudWatchName;
        }

        public String cloudWatchName() {
            return cloudWatchName;
        }
    }

    private final String metricName;
    private final Unit unit;
    private final MetricSource source;
    private final List<Dimension> dimensions;

    Metric(String metricName, Unit unit, MetricSource source, Dimension... dimensions) {
        this.metricName = metricName;
        this.unit = unit;
        this.source = source;
        this.dimensions = List.of(dimensions);
    }

    /** The name in CloudWatch. */
    public String metricName() {
        return metricName;
    }

    public Unit unit() {
        return unit;
    }

    public MetricSource source() {
        return source;
    }

    /** The dimensions a measurement must give (in emitted order), besides {@code Service}. */
    public List<Dimension> dimensions() {
        return dimensions;
    }

    /** The dimension sets it is emitted under: {@code [Service]}, and {@code [Service, …]} when it has dimensions. */
    public List<List<String>> dimensionSets() {
        List<List<String>> sets = new ArrayList<>();
        sets.add(List.of(Dimension.SERVICE));
        if (!dimensions.isEmpty()) {
            List<String> full = new ArrayList<>();
            full.add(Dimension.SERVICE);
            dimensions.forEach(d -> full.add(d.key()));
            sets.add(List.copyOf(full));
        }
        return List.copyOf(sets);
    }

    /** The metric named {@code name} in CloudWatch, if the code emits one. */
    public static java.util.Optional<Metric> named(String name) {
        for (Metric metric : values()) {
            if (metric.metricName.equals(name)) {
                return java.util.Optional.of(metric);
            }
        }
        return java.util.Optional.empty();
    }
}
