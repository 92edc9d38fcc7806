package ai.phoneagent.call;

import static ai.phoneagent.call.Attributes.s;
import static ai.phoneagent.call.Attributes.string;
import static ai.phoneagent.call.Attributes.time;

import ai.phoneagent.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The summary attributes of an ended call's item: {@code summaryStatus}, {@code summary} (JSON) and the claim
 * ({@code summaryClaim}, {@code summaryClaimUntil}) that lets one worker at a time make it. A claim lapses, so a
 * worker that died while summarising leaves the call to the next one that looks ({@link #unsettled}).
 */
public final class CallSummaryStore {
    static final String STATUS = "summaryStatus";
    static final String SUMMARY = "summary";
    private static final String CLAIM = "summaryClaim";
    private static final String CLAIM_UNTIL = "summaryClaimUntil";

    private final DynamoDbClient dynamo;
    private final String table;

    public CallSummaryStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * Takes the right to summarise an {@code ENDED} call until {@code now + lease}: only when it has no summary yet,
     * or one left {@code pending} by a claim that lapsed. Marks it {@code pending}. False when the call has not ended
     * (or is unknown), is settled, or someone else holds a live claim.
     */
    public boolean claim(String callId, String claimer, String model, Instant now, Duration lease) {
        return update(callId, "SET #st = :pending, #sum = :json, #claim = :claimer, #until = :until",
                "#status = :ended AND (attribute_not_exists(#st) OR (#st = :pending AND "
                        + "(attribute_not_exists(#until) OR #until < :now)))",
                Map.of(":pending", s(CallSummary.Status.PENDING.wireName()),
                        ":json", s(Json.write(CallSummary.pending(model).toJson())), ":claimer", s(claimer),
                        ":until", time(now.plus(lease)), ":now", time(now), ":ended", s(CallStatus.ENDED.name())));
    }

    /** Stores the settled summary and drops the claim, if {@code claimer} still holds it. */
    public boolean settle(String callId, String claimer, CallSummary summary) {
        if (!summary.status().settled()) {
            throw new IllegalArgumentException("only a settled summary is stored this way");
        }
        return update(callId, "SET #st = :status, #sum = :json REMOVE #claim, #until", "#claim = :claimer",
                Map.of(":status", s(summary.status().wireName()), ":json", s(Json.write(summary.toJson())),
                        ":claimer", s(claimer)));
    }

    /** Gives a claim back at once (the worker is stopping), so the next sweep may take the call without waiting. */
    public boolean release(String callId, String claimer) {
        return update(callId, "SET #until = :zero", "#claim = :claimer AND #st = :pending",
                Map.of(":zero", Attributes.n(0), ":claimer", s(claimer),
                        ":pending", s(CallSummary.Status.PENDING.wireName())));
    }

    /** One conditional update of the call item over the summary's attribute names; false when the condition fails. */
    private boolean update(String callId, String expression, String condition, Map<String, AttributeValue> values) {
        Map<String, String> names = new HashMap<>(Map.of("#st", STATUS, "#claim", CLAIM, "#until", CLAIM_UNTIL));
        if (expression.contains("#sum")) {
            names.put("#sum", SUMMARY);
        }
        if (condition.contains("#status")) {
            names.put("#status", "status");
        }
        try {
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(CallStore.key(callId, CallTable.META))
                    .updateExpression(expression).conditionExpression(condition)
                    .expressionAttributeNames(names).expressionAttributeValues(values).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Ids of calls that ended between {@code from} and {@code to} and still need a summary: none stored, or
     * {@code pending} under a claim that lapsed before {@code now}. Reads only that slice of the ended-calls index
     * (one query per UTC day it spans), so its cost follows the calls of the window, not the table.
     */
    public List<String> unsettled(Instant from, Instant to, Instant now) {
        List<String> out = new ArrayList<>();
        LocalDate last = to.atZone(ZoneOffset.UTC).toLocalDate();
        for (LocalDate day = from.atZone(ZoneOffset.UTC).toLocalDate(); !day.isAfter(last); day = day.plusDays(1)) {
            Map<String, AttributeValue> start = null;
            do {
                var request = QueryRequest.builder()
                        .tableName(table)
                        .indexName(CallTable.GSI1)
                        .keyConditionExpression("gsi1pk = :day AND gsi1sk BETWEEN :from AND :to")
                        .filterExpression("attribute_not_exists(#st) OR (#st = :pending AND #until < :now)")
                        .projectionExpression("callId")
                        .expressionAttributeNames(Map.of("#st", STATUS, "#until", CLAIM_UNTIL))
                        .expressionAttributeValues(Map.of(":day", s(CallTable.ENDED_PREFIX + day),
                                ":from", s(String.format("%013d", from.toEpochMilli())),
                                ":to", s(String.format("%013d~", to.toEpochMilli())),
                                ":pending", s(CallSummary.Status.PENDING.wireName()), ":now", time(now)));
                if (start != null) {
                    request.exclusiveStartKey(start);
                }
                QueryResponse response = dynamo.query(request.build());
                response.items().forEach(item -> out.add(string(item, "callId")));
                start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                        ? response.lastEvaluatedKey() : null;
            } while (start != null);
        }
        return out;
    }
}
