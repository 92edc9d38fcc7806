package ai.phoneagent.worker.events;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.Turn;
import ai.phoneagent.callevents.CallEventMessage;
import ai.phoneagent.callevents.CallEventType;
import ai.phoneagent.callevents.CallEventsQueue;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.LogContext;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Builds an event's webhook body from what the call's item, transcript and events hold at delivery time, in the
 * shape OpenAI's own webhooks have: {@code {"object":"event","id","type","created_at","data":{…}}}.
 */
public final class CallEventPayloads {
    /** Event kinds that record deliveries themselves: not part of the call's story sent out. */
    static final String DELIVERED_KIND = "call_event_delivered";
    static final String FAILED_KIND = "call_event_delivery_failed";
    /** How soon a {@code call.ended} waiting for its summary looks again. */
    static final Duration SUMMARY_RECHECK = Duration.ofSeconds(2);

    private final CallStore store;
    private final Duration summaryWait;
    private final Clock clock;

    /** Payloads without summaries: {@code call.ended} never waits for one. */
    public CallEventPayloads(CallStore store) {
        this(store, Duration.ZERO, Clock.systemUTC());
    }

    /**
     * Payloads whose {@code call.ended} waits up to {@code summaryWait} after it was enqueued for the call's summary
     * to settle ({@code done}, {@code failed}, {@code skipped}), then goes with whatever is stored (perhaps
     * {@code pending}, or none): a slow model delays the webhook by a bounded time and never loses it.
     */
    public CallEventPayloads(CallStore store, Duration summaryWait, Clock clock) {
        this.store = store;
        this.summaryWait = summaryWait;
        this.clock = clock;
    }

    /** Why a body cannot be built yet (the retry may find it) or ever. */
    public sealed interface Outcome {
        record Ready(String body) implements Outcome {
        }

        /**
         * The store does not show the event yet (e.g. {@code call.ended} before {@code ENDED} is written, or its
         * summary still pending); {@code recheckIn}, when not null, is when to look again instead of the usual
         * backoff.
         */
        record NotYet(String why, Duration recheckIn) implements Outcome {
            public NotYet(String why) {
                this(why, null);
            }
        }

        record Gone(String why) implements Outcome {
        }
    }

    public Outcome build(CallEventMessage message) {
        Optional<CallRecord> found = store.get(message.callId());
        if (found.isEmpty()) {
            return new Outcome.Gone("call_not_found");
        }
        CallRecord call = found.get();
        LogContext.identify(call.callId(), call.traceId()); // the delivery's lines and traceparent join the call's trace
        if (message.type() == CallEventType.ENDED && call.status() != CallStatus.ENDED) {
            return new Outcome.NotYet("call_not_ended_in_store");
        }
        if (message.type() == CallEventType.ENDED && summaryWait.isPositive()
                && (call.summary() == null || !call.summary().status().settled())
                && clock.millis() - message.enqueuedAt() < summaryWait.toMillis()) {
            return new Outcome.NotYet("summary_pending", SUMMARY_RECHECK);
        }
        List<CallEvent> events = events(call.callId());
        ObjectNode data = Json.object().put("call_id", call.callId()).put("direction", call.direction())
                .put("from", call.from()).put("to", call.to()).put("status", call.status().name().toLowerCase(java.util.Locale.ROOT));
        if (call.launchId() != null) {
            data.put("launch_id", call.launchId());
        }
        putTime(data, "created_at", call.createdAt());
        putTime(data, "accepted_at", call.acceptedAt());
        putTime(data, "attached_at", call.attachedAt());
        List<CallEvent> transfers = events.stream().filter(e -> CallEventsQueue.TRANSFER_KIND.equals(e.kind())).toList();
        switch (message.type()) {
            case STARTED -> { }
            case TRANSFERRED -> transfers.stream().filter(e -> e.id().equals(message.sourceId())).findFirst()
                    .ifPresent(e -> data.set("transfer", transferView(e)));
            case ENDED -> {
                putTime(data, "ended_at", call.endedAt());
                data.put("end_reason", call.endReason());
                ObjectNode durations = data.putObject("durations_ms");
                putDuration(durations, "total", call.createdAt(), call.endedAt());
                putDuration(durations, "wait", call.createdAt(), call.attachedAt());
                putDuration(durations, "talk", call.attachedAt(), call.endedAt());
                // the transfer outcome: the last attempt's, or none
                data.set("transfer", transfers.isEmpty() ? null : transferView(transfers.getLast()));
                // the post-call summary: null when summaries are off (or the call ended before they were on)
                data.set("summary", call.summary() == null ? null : call.summary().toJson());
                ArrayNode transcript = data.putArray("transcript");
                for (Turn turn : store.allTurns(call.callId())) {
                    transcript.addObject().put("seq", turn.seq()).put("speaker", turn.speaker().wireName())
                            .put("text", turn.text()).put("ts", turn.ts() == null ? null : turn.ts().toString());
                }
                ArrayNode list = data.putArray("events");
                for (CallEvent event : events) {
                    list.addObject().put("id", event.id()).put("kind", event.kind())
                            .put("ts", event.ts() == null ? null : event.ts().toString()).set("details", event.details());
                }
            }
        }
        ObjectNode body = Json.object().put("object", "event").put("id", message.eventId())
                .put("type", message.type().wireName()).put("created_at", message.occurredAt() / 1000);
        body.set("data", data);
        return new Outcome.Ready(Json.write(body));
    }

    private static ObjectNode transferView(CallEvent event) {
        ObjectNode view = event.details() != null && event.details().isObject()
                ? ((ObjectNode) event.details()).deepCopy() : Json.object();
        return view.put("event_id", event.id()).put("ts", event.ts() == null ? null : event.ts().toString());
    }

    private List<CallEvent> events(String callId) {
        return store.allEvents(callId).stream()
                .filter(e -> !DELIVERED_KIND.equals(e.kind()) && !FAILED_KIND.equals(e.kind())).toList();
    }

    private static void putTime(ObjectNode node, String field, Instant at) {
        node.put(field, at == null ? null : at.toString());
    }

    private static void putDuration(ObjectNode node, String field, Instant from, Instant to) {
        if (from != null && to != null) {
            node.put(field, Duration.between(from, to).toMillis());
        } else {
            node.putNull(field);
        }
    }
}
