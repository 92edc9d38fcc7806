package ai.phoneagent.outbound;

import static ai.phoneagent.call.Attributes.instant;
import static ai.phoneagent.call.Attributes.n;
import static ai.phoneagent.call.Attributes.s;
import static ai.phoneagent.call.Attributes.string;
import static ai.phoneagent.call.Attributes.time;
import static ai.phoneagent.call.CallTable.GSI1;
import static ai.phoneagent.call.CallTable.GSI1_PK;
import static ai.phoneagent.call.CallTable.GSI1_SK;
import static ai.phoneagent.call.CallTable.META;
import static ai.phoneagent.call.CallTable.PK;
import static ai.phoneagent.call.CallTable.SK;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallTable;
import ai.phoneagent.call.Page;
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
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Outbound launches, their guardrail markers and launch templates, in the calls table. Every change is a conditional
 * write: a launch id is created once (a retry finds it and never dials again), its status only moves forward, it is
 * bound to at most one call, and a destination or concurrency slot has one holder at a time.
 */
public final class LaunchStore {
    /** {@code gsi1pk} of every launch, sorted by {@code <created epoch ms>#<launch id>}. */
    public static final String LAUNCHES = "LAUNCHES";
    /** {@code gsi1pk} of every template, sorted by template id. */
    public static final String TEMPLATES = "TEMPLATES";
    private static final String GUARD = "GUARD";

    private final DynamoDbClient dynamo;
    private final String table;

    public LaunchStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public static String launchKey(String launchId) {
        return "LAUNCH#" + launchId;
    }

    // ---------------------------------------------------------------- launches

    /** Stores a new launch ({@code requested}); empty when the launch id exists already (nothing is written). */
    public boolean create(Launch launch) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(launchKey(launch.launchId())));
        item.put(SK, s(META));
        item.put("launchId", s(launch.launchId()));
        item.put("status", s(launch.status().wireName()));
        put(item, "to", launch.to());
        put(item, "from", launch.from());
        put(item, "templateId", launch.templateId());
        put(item, "calleeName", launch.calleeName());
        put(item, "objective", launch.objective());
        put(item, "instructions", launch.instructions());
        put(item, "opening", launch.opening());
        put(item, "voice", launch.voice());
        put(item, "model", launch.model());
        put(item, "metadata", launch.metadata());
        put(item, "idempotencyKey", launch.idempotencyKey());
        put(item, "sipKeyHash", launch.sipKeyHash());
        item.put("matchUntil", time(launch.matchUntil()));
        item.put("createdAt", time(launch.createdAt()));
        item.put("updatedAt", time(launch.createdAt()));
        item.put("timeline", AttributeValue.fromL(List.of(entry(launch.status(), launch.createdAt(), null, null))));
        item.put(GSI1_PK, s(LAUNCHES));
        item.put(GSI1_SK, s(String.format("%013d#%s", launch.createdAt().toEpochMilli(), launch.launchId())));
        item.put(CallTable.TTL_ATTRIBUTE, n(launch.createdAt().plus(CallStore.RETENTION).getEpochSecond()));
        try {
            dynamo.putItem(PutItemRequest.builder().tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk)").build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** The launch, read consistently. */
    public Optional<Launch> get(String launchId) {
        var response = dynamo.getItem(GetItemRequest.builder().tableName(table)
                .key(Map.of(PK, s(launchKey(launchId)), SK, s(META))).consistentRead(true).build());
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(toLaunch(response.item()))
                : Optional.empty();
    }

    /** Forgets a launch that was refused before anything was dialled, so the same id may be tried again. */
    public void delete(String launchId) {
        dynamo.deleteItem(DeleteItemRequest.builder().tableName(table)
                .key(Map.of(PK, s(launchKey(launchId)), SK, s(META)))
                .conditionExpression("attribute_not_exists(twilioCallSid)")
                .build());
    }

    /**
     * Twilio created the call: its sid is stored, and the launch is {@code queued} unless Twilio's first callbacks
     * already moved it further (they may arrive before the create call returns).
     */
    public Optional<Launch> dialled(String launchId, String callSid, Instant now) {
        dynamo.updateItem(UpdateItemRequest.builder().tableName(table)
                .key(Map.of(PK, s(launchKey(launchId)), SK, s(META)))
                .updateExpression("SET twilioCallSid = :sid").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":sid", s(callSid))).build());
        return advance(launchId, LaunchStatus.QUEUED, null, null, now).or(() -> get(launchId));
    }

    /** The concurrency slot this launch holds. */
    public void holdsSlot(String launchId, int slot) {
        dynamo.updateItem(UpdateItemRequest.builder().tableName(table)
                .key(Map.of(PK, s(launchKey(launchId)), SK, s(META)))
                .updateExpression("SET slot = :slot").expressionAttributeValues(Map.of(":slot", n(slot))).build());
    }

    /**
     * Moves the launch forward to {@code to}, appending a timeline entry with Twilio's {@code code} and
     * {@code detail} (either may be null). Empty when the launch is unknown, ended, or already past {@code to}.
     */
    public Optional<Launch> advance(String launchId, LaunchStatus to, String code, String detail, Instant now) {
        return advance(launchId, to, code, detail, now, Map.of());
    }

    private Optional<Launch> advance(String launchId, LaunchStatus to, String code, String detail, Instant now,
                                     Map<String, AttributeValue> extra) {
        List<String> before = new ArrayList<>();
        Map<String, AttributeValue> values = new HashMap<>();
        for (LaunchStatus status : LaunchStatus.values()) {
            if (status.precedes(to)) {
                String name = ":s" + status.ordinal();
                before.add(name);
                values.put(name, s(status.wireName()));
            }
        }
        values.put(":to", s(to.wireName()));
        values.put(":now", time(now));
        values.put(":entry", AttributeValue.fromL(List.of(entry(to, now, code, detail))));
        StringBuilder set = new StringBuilder("SET #status = :to, updatedAt = :now, timeline = list_append(timeline, :entry)");
        if (to.isTerminal() && to != LaunchStatus.COMPLETED && code != null) {
            set.append(", errorCode = :code");
            values.put(":code", s(code));
        }
        extra.forEach((name, value) -> {
            set.append(", ").append(name).append(" = :x_").append(name);
            values.put(":x_" + name, value);
        });
        try {
            var response = dynamo.updateItem(UpdateItemRequest.builder().tableName(table)
                    .key(Map.of(PK, s(launchKey(launchId)), SK, s(META)))
                    .updateExpression(set.toString())
                    .conditionExpression("attribute_exists(pk) AND #status IN (" + String.join(", ", before) + ")")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .build());
            return Optional.of(toLaunch(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /** Records why a launch failed (e.g. Twilio's refusal) with its code and message. */
    public Optional<Launch> fail(String launchId, String code, String message, Instant now) {
        return advance(launchId, LaunchStatus.FAILED, code, message, now,
                Map.of("errorMessage", s(message.length() > 300 ? message.substring(0, 300) : message)));
    }

    /**
     * Binds the launch to the call the connector announced, if the SIP key matches and the launch is unexpired and
     * unused, or already bound to this same call (a webhook redelivery). Returns the launch, or empty: an unknown,
     * expired or already-used launch id, or a wrong key.
     */
    public Optional<Launch> bindCall(String launchId, String sipKeyHash, String callId, Instant now) {
        try {
            var response = dynamo.updateItem(UpdateItemRequest.builder().tableName(table)
                    .key(Map.of(PK, s(launchKey(launchId)), SK, s(META)))
                    .updateExpression("SET callId = :call")
                    .conditionExpression("sipKeyHash = :hash AND (callId = :call OR "
                            + "(attribute_not_exists(callId) AND matchUntil > :now AND NOT #status IN (:busy, :noAnswer, :failed)))")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":call", s(callId), ":hash", s(sipKeyHash), ":now", time(now),
                            ":busy", s(LaunchStatus.BUSY.wireName()), ":noAnswer", s(LaunchStatus.NO_ANSWER.wireName()),
                            ":failed", s(LaunchStatus.FAILED.wireName())))
                    .returnValues(ReturnValue.ALL_NEW)
                    .build());
            return Optional.of(toLaunch(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /** Launches, newest first. */
    public Page<Launch> list(Map<String, String> startKey, int limit) {
        QueryResponse response = queryIndex(LAUNCHES, startKey, limit, false);
        return new Page<>(response.items().stream().map(LaunchStore::toLaunch).toList(), next(response));
    }

    // ---------------------------------------------------------------- guardrails

    /**
     * Takes the destination's repeat-call marker until {@code until}: false when another launch holds it (a call to
     * this number within the interval).
     */
    public boolean takeDestination(String number, String launchId, Instant until, Instant now) {
        return takeGuard("OUTBOUND#TO#" + number, launchId, until, now);
    }

    /** Gives the destination marker back (nothing was dialled). */
    public void releaseDestination(String number, String launchId) {
        releaseGuard("OUTBOUND#TO#" + number, launchId);
    }

    /** Takes one of {@code cap} concurrency slots until {@code until}; the slot number, or empty when all are held. */
    public Optional<Integer> takeSlot(int cap, String launchId, Instant until, Instant now) {
        int start = Math.floorMod(launchId.hashCode(), Math.max(cap, 1));
        for (int i = 0; i < cap; i++) {
            int slot = (start + i) % cap;
            if (takeGuard("OUTBOUND#SLOT#" + slot, launchId, until, now)) {
                return Optional.of(slot);
            }
        }
        return Optional.empty();
    }

    /** Frees the launch's concurrency slot (the call ended, or it never started). */
    public void releaseSlot(int slot, String launchId) {
        releaseGuard("OUTBOUND#SLOT#" + slot, launchId);
    }

    private boolean takeGuard(String key, String launchId, Instant until, Instant now) {
        try {
            dynamo.putItem(PutItemRequest.builder().tableName(table)
                    .item(Map.of(PK, s(key), SK, s(GUARD), "launchId", s(launchId), "until", time(until),
                            CallTable.TTL_ATTRIBUTE, n(until.plus(Duration.ofDays(1)).getEpochSecond())))
                    .conditionExpression("attribute_not_exists(pk) OR #until < :now OR launchId = :launch")
                    .expressionAttributeNames(Map.of("#until", "until"))
                    .expressionAttributeValues(Map.of(":now", time(now), ":launch", s(launchId)))
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private void releaseGuard(String key, String launchId) {
        try {
            dynamo.deleteItem(DeleteItemRequest.builder().tableName(table)
                    .key(Map.of(PK, s(key), SK, s(GUARD)))
                    .conditionExpression("launchId = :launch")
                    .expressionAttributeValues(Map.of(":launch", s(launchId)))
                    .build());
        } catch (ConditionalCheckFailedException e) {
            // another launch holds it now (ours had lapsed): leave it
        }
    }

    // ---------------------------------------------------------------- templates

    /** Creates or replaces a template; {@code mustExist} makes it an update of an existing one (false if absent). */
    public boolean putTemplate(LaunchTemplate template, boolean mustExist) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s("TEMPLATE#" + template.templateId()));
        item.put(SK, s(META));
        item.put("templateId", s(template.templateId()));
        put(item, "name", template.name());
        put(item, "instructions", template.instructions());
        put(item, "opening", template.opening());
        put(item, "voice", template.voice());
        put(item, "model", template.model());
        item.put("createdAt", time(template.createdAt()));
        item.put("updatedAt", time(template.updatedAt()));
        item.put(GSI1_PK, s(TEMPLATES));
        item.put(GSI1_SK, s(template.templateId()));
        var request = PutItemRequest.builder().tableName(table).item(item);
        if (mustExist) {
            request.conditionExpression("attribute_exists(pk)");
        }
        try {
            dynamo.putItem(request.build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    public Optional<LaunchTemplate> template(String templateId) {
        var response = dynamo.getItem(GetItemRequest.builder().tableName(table)
                .key(Map.of(PK, s("TEMPLATE#" + templateId), SK, s(META))).consistentRead(true).build());
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(toTemplate(response.item()))
                : Optional.empty();
    }

    /** Deletes a template; false when there was none. */
    public boolean deleteTemplate(String templateId) {
        var response = dynamo.deleteItem(DeleteItemRequest.builder().tableName(table)
                .key(Map.of(PK, s("TEMPLATE#" + templateId), SK, s(META)))
                .returnValues(ReturnValue.ALL_OLD).build());
        return response.hasAttributes() && !response.attributes().isEmpty();
    }

    /** Templates by id. */
    public Page<LaunchTemplate> templates(Map<String, String> startKey, int limit) {
        QueryResponse response = queryIndex(TEMPLATES, startKey, limit, true);
        return new Page<>(response.items().stream().map(LaunchStore::toTemplate).toList(), next(response));
    }

    // ---------------------------------------------------------------- mapping

    private QueryResponse queryIndex(String partition, Map<String, String> startKey, int limit, boolean forward) {
        var request = QueryRequest.builder().tableName(table).indexName(GSI1)
                .keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", s(partition)))
                .scanIndexForward(forward)
                .limit(limit);
        if (startKey != null && !startKey.isEmpty()) {
            Map<String, AttributeValue> exclusive = new HashMap<>();
            startKey.forEach((k, v) -> exclusive.put(k, s(v)));
            request.exclusiveStartKey(exclusive);
        }
        return dynamo.query(request.build());
    }

    private static Optional<Map<String, String>> next(QueryResponse response) {
        if (!response.hasLastEvaluatedKey() || response.lastEvaluatedKey().isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> last = new HashMap<>();
        response.lastEvaluatedKey().forEach((k, v) -> last.put(k, v.s()));
        return Optional.of(last);
    }

    private static void put(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }

    private static AttributeValue entry(LaunchStatus status, Instant at, String code, String detail) {
        Map<String, AttributeValue> entry = new HashMap<>();
        entry.put("status", s(status.wireName()));
        entry.put("at", time(at));
        put(entry, "code", code);
        put(entry, "detail", detail);
        return AttributeValue.fromM(entry);
    }

    static Launch toLaunch(Map<String, AttributeValue> item) {
        List<Launch.Transition> timeline = new ArrayList<>();
        AttributeValue list = item.get("timeline");
        if (list != null && list.hasL()) {
            for (AttributeValue v : list.l()) {
                Map<String, AttributeValue> m = v.m();
                LaunchStatus.fromWire(string(m, "status")).ifPresent(status -> timeline.add(
                        new Launch.Transition(status, instant(m, "at"), string(m, "code"), string(m, "detail"))));
            }
        }
        AttributeValue slot = item.get("slot");
        return new Launch(string(item, "launchId"),
                LaunchStatus.fromWire(string(item, "status")).orElse(LaunchStatus.FAILED),
                string(item, "to"), string(item, "from"), string(item, "templateId"), string(item, "calleeName"),
                string(item, "objective"), string(item, "instructions"), string(item, "opening"),
                string(item, "voice"), string(item, "model"), string(item, "metadata"),
                string(item, "idempotencyKey"), string(item, "twilioCallSid"), string(item, "callId"),
                string(item, "sipKeyHash"), instant(item, "matchUntil"), instant(item, "createdAt"),
                instant(item, "updatedAt"), string(item, "errorCode"), string(item, "errorMessage"),
                slot == null || slot.n() == null ? null : Integer.parseInt(slot.n()), timeline);
    }

    private static LaunchTemplate toTemplate(Map<String, AttributeValue> item) {
        return new LaunchTemplate(string(item, "templateId"), string(item, "name"), string(item, "instructions"),
                string(item, "opening"), string(item, "voice"), string(item, "model"), instant(item, "createdAt"),
                instant(item, "updatedAt"));
    }
}
