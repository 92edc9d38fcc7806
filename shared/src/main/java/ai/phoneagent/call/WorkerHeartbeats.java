package ai.phoneagent.call;

import static ai.phoneagent.call.Attributes.instant;
import static ai.phoneagent.call.Attributes.n;
import static ai.phoneagent.call.Attributes.number;
import static ai.phoneagent.call.Attributes.s;
import static ai.phoneagent.call.Attributes.string;
import static ai.phoneagent.call.Attributes.time;
import static ai.phoneagent.call.CallTable.PK;
import static ai.phoneagent.call.CallTable.SK;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * One liveness record per session worker ({@code pk = WORKERS}, {@code sk = <worker id>}) in the call table. A worker
 * beats every few seconds; its calls point at it ({@code owner}) instead of holding leases of their own. A worker
 * whose beat is older than the stale limit is taken over by exactly one other worker ({@link #claimTakeover}, a
 * conditional write on the beat it saw), which then orphans and re-enqueues its calls. Once taken over, the record
 * refuses the old worker's beats ({@link #beat} answers false), so a worker that was only paused learns that its
 * calls are gone and writes nothing more for them.
 */
public final class WorkerHeartbeats {
    public static final String PARTITION = "WORKERS";
    /** Heartbeat records outlive their worker by this long (TTL), so a late beat of a taken-over worker still fails. */
    static final Duration RETENTION = Duration.ofDays(1);

    private final DynamoDbClient dynamo;
    private final String table;

    public WorkerHeartbeats(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** How often a worker beats, when its record does not say (written before {@code beatEveryMs} existed). */
    public static final Duration DEFAULT_BEAT_EVERY = Duration.ofSeconds(2);
    /** How many beats a worker may miss before those who need it now (the control side) count it as gone. */
    public static final int MISSED_BEATS = 2;
    /** ... but never sooner than this: a timer a few hundred milliseconds late on a busy machine is not a death. */
    public static final Duration MIN_SILENCE = Duration.ofSeconds(2);

    /** A worker's record as read; {@code beatEvery} is the interval it declared at registration. */
    public record Heartbeat(String workerId, Instant beatAt, String takenOverBy, Instant takenOverAt, Duration beatEvery) {
        public Heartbeat(String workerId, Instant beatAt, String takenOverBy, Instant takenOverAt) {
            this(workerId, beatAt, takenOverBy, takenOverAt, null);
        }

        /** Alive as far as others can tell: not taken over and beating within {@code staleAfter}. */
        public boolean alive(Instant now, Duration staleAfter) {
            return takenOverBy == null && beatAt != null && !beatAt.isBefore(now.minus(staleAfter));
        }

        /**
         * Beating on time as far as a caller in a hurry can tell: not taken over and silent for no more than
         * {@value #MISSED_BEATS} of its own beat intervals (and at most {@link #MIN_SILENCE}). A worker that cannot
         * write its beat cannot claim a command either, so treating it as gone sooner than the take-over does costs
         * nothing.
         */
        public boolean beatingOnTime(Instant now) {
            Duration every = beatEvery == null || !beatEvery.isPositive() ? DEFAULT_BEAT_EVERY : beatEvery;
            Duration late = every.multipliedBy(MISSED_BEATS);
            return alive(now, late.compareTo(MIN_SILENCE) < 0 ? MIN_SILENCE : late);
        }
    }

    /** Starts (or restarts) a worker's record: a fresh beat, any earlier take-over forgotten. */
    public void register(String workerId, Instant now) {
        register(workerId, now, DEFAULT_BEAT_EVERY);
    }

    /**
     * As {@link #register(String, Instant)}, declaring how often the worker beats, so that others can tell a missed
     * beat ({@link Heartbeat#beatingOnTime}) without knowing its settings.
     */
    public void register(String workerId, Instant now, Duration beatEvery) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(PARTITION));
        item.put(SK, s(workerId));
        item.put("workerId", s(workerId));
        item.put("beatAt", time(now));
        item.put("startedAt", time(now));
        item.put("beatEveryMs", n(beatEvery.toMillis()));
        item.put(CallTable.TTL_ATTRIBUTE, n(now.plus(RETENTION).getEpochSecond()));
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    /** Records that the worker is alive; false when another worker has taken it over (its calls are not its own now). */
    public boolean beat(String workerId, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(key(workerId))
                    .updateExpression("SET beatAt = :now, #ttl = :ttl")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(takenOverBy)")
                    .expressionAttributeNames(Map.of("#ttl", CallTable.TTL_ATTRIBUTE))
                    .expressionAttributeValues(Map.of(":now", time(now),
                            ":ttl", n(now.plus(RETENTION).getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** The worker's record, read consistently. */
    public Optional<Heartbeat> get(String workerId) {
        var response = dynamo.getItem(b -> b.tableName(table).key(key(workerId)).consistentRead(true));
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(toHeartbeat(response.item()))
                : Optional.empty();
    }

    /** Every worker record (one partition: a handful of items per worker generation, expiring after a day). */
    public List<Heartbeat> all() {
        List<Heartbeat> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> {
                b.tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :p")
                        .expressionAttributeValues(Map.of(":p", s(PARTITION)));
                if (from != null) {
                    b.exclusiveStartKey(from);
                }
            });
            page.items().forEach(item -> out.add(toHeartbeat(item)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    /**
     * Takes over a stale worker, exactly once: succeeds only if its beat is still the one {@code seen} (so it did not
     * come back meanwhile) and nobody took it over yet. The winner orphans the worker's calls.
     */
    public boolean claimTakeover(Heartbeat seen, String by, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(key(seen.workerId()))
                    .updateExpression("SET takenOverBy = :by, takenOverAt = :now")
                    .conditionExpression("beatAt = :seen AND attribute_not_exists(takenOverBy)")
                    .expressionAttributeValues(Map.of(":by", s(by), ":now", time(now), ":seen", time(seen.beatAt()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** A worker that shut down cleanly (its calls handed off) marks itself taken over by itself: nobody looks again. */
    public void retire(String workerId, Instant now) {
        dynamo.updateItem(b -> b.tableName(table)
                .key(key(workerId))
                .updateExpression("SET takenOverBy = :self, takenOverAt = :now")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":self", s(workerId), ":now", time(now))));
    }

    private static Map<String, AttributeValue> key(String workerId) {
        return Map.of(PK, s(PARTITION), SK, s(workerId));
    }

    private static Heartbeat toHeartbeat(Map<String, AttributeValue> item) {
        long every = number(item, "beatEveryMs", 0);
        return new Heartbeat(string(item, SK), instant(item, "beatAt"), string(item, "takenOverBy"),
                instant(item, "takenOverAt"), every > 0 ? Duration.ofMillis(every) : null);
    }
}
