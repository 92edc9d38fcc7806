package ai.phoneagent.control.calls;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.CallTable;
import ai.phoneagent.call.Page;
import ai.phoneagent.call.Turn;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ErrorCode;
import ai.phoneagent.control.api.Ids;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Read side of the operator API: live and recent call lists, and one call with its transcript and events. */
public final class CallQueries {
    private static final Set<String> INDEX_KEY_NAMES = Set.of(CallTable.PK, CallTable.SK, CallTable.GSI1_PK,
            CallTable.GSI1_SK);
    private static final Pattern INDEX_SORT_KEY = Pattern.compile("[0-9]{13}#[A-Za-z0-9_\\-]{1,64}");
    private static final Pattern EVENT_ID = Pattern.compile("[0-9]{13}#[0-9a-f]{6}");
    /** Index queries one page of a filtered listing may make; the page then ends early, with a cursor. */
    static final int MAX_READS_PER_PAGE = 20;

    private final CallStore store;
    private final CursorCodec cursors;
    private final Clock clock;
    private final int recentDays;

    public CallQueries(CallStore store, CursorCodec cursors, Clock clock, int recentDays) {
        this.store = store;
        this.cursors = cursors;
        this.clock = clock;
        this.recentDays = recentDays;
    }

    /** Which calls to list. */
    public enum Listing {
        LIVE, RECENT;

        /** {@code live} (default) or {@code recent}; 400 otherwise. */
        public static Listing parse(String raw) {
            if (raw == null || raw.isBlank() || raw.equals("live")) {
                return LIVE;
            }
            if (raw.equals("recent")) {
                return RECENT;
            }
            throw ApiError.invalidRequest("'status' must be live or recent");
        }
    }

    /**
     * A page of live calls (newest first) or of calls ended in the last days (most recently ended first);
     * {@code filter} narrows the recent listing (400 for the live one).
     */
    public ObjectNode list(Listing listing, int limit, String cursor, RecentFilter filter) {
        List<CallRecord> calls;
        String next;
        if (listing == Listing.LIVE) {
            if (!filter.isEmpty()) {
                throw ApiError.invalidRequest("Search filters apply to status=recent only");
            }
            Map<String, String> startKey = cursor == null ? null
                    : indexKey(cursors.decode("live", cursor).get("s"), CallTable.LIVE);
            Page<CallRecord> page = store.callsIn(CallTable.LIVE, startKey, limit);
            calls = page.items();
            next = page.nextKey().map(key -> cursors.encode("live", Json.object().set("s", toJson(key)))).orElse(null);
        } else {
            var recent = recent(limit, cursor, filter);
            calls = recent.calls;
            next = recent.next;
        }
        ObjectNode body = Json.object();
        body.put("status", listing.name().toLowerCase(java.util.Locale.ROOT));
        ArrayNode items = body.putArray("calls");
        calls.forEach(call -> CallViews.writeCall(items.addObject(), call));
        if (next != null) {
            body.put("nextCursor", next);
        } else {
            body.putNull("nextCursor");
        }
        return body;
    }

    private record RecentPage(List<CallRecord> calls, String next) {
    }

    private RecentPage recent(int limit, String cursor, RecentFilter filter) {
        LocalDate day;
        LocalDate oldest;
        Map<String, String> startKey = null;
        if (cursor == null) {
            LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
            day = filter.until() != null && filter.until().isBefore(today) ? filter.until() : today;
            oldest = filter.since() != null ? filter.since() : today.minusDays(recentDays - 1L);
            LocalDate limitBack = today.minusDays(RecentFilter.MAX_DAYS_BACK - 1L);
            if (oldest.isBefore(limitBack)) {
                oldest = limitBack;
            }
        } else {
            ObjectNode payload = cursors.decode("recent", cursor);
            try {
                day = LocalDate.parse(Json.text(payload, "d"));
                oldest = LocalDate.parse(Json.text(payload, "o"));
            } catch (DateTimeParseException | NullPointerException e) {
                throw CursorCodec.invalid();
            }
            if (day.isBefore(oldest) || ChronoUnit.DAYS.between(oldest, day) > 90) {
                throw CursorCodec.invalid();
            }
            if (payload.has("s")) {
                startKey = indexKey(payload.get("s"), CallTable.ENDED_PREFIX + day);
            }
        }
        List<CallRecord> calls = new ArrayList<>();
        int reads = 0;
        int maxReads = filter.isEmpty() ? Integer.MAX_VALUE : MAX_READS_PER_PAGE;
        while (calls.size() < limit && !day.isBefore(oldest) && reads++ < maxReads) {
            // never more than the page still needs, so every match read is kept and the next key follows it
            Page<CallRecord> page = store.callsIn(CallTable.ENDED_PREFIX + day, startKey, limit - calls.size());
            page.items().stream().filter(filter::matches).forEach(calls::add);
            if (page.nextKey().isPresent()) {
                startKey = page.nextKey().get();
            } else {
                day = day.minusDays(1);
                startKey = null;
            }
        }
        String next = null;
        if (!day.isBefore(oldest)) {
            ObjectNode payload = Json.object().put("d", day.toString()).put("o", oldest.toString());
            if (startKey != null) {
                payload.set("s", toJson(startKey));
            }
            next = cursors.encode("recent", payload);
        }
        return new RecentPage(calls, next);
    }

    /** A decoded page key, checked to be a call item's key in the partition being read. */
    private static Map<String, String> indexKey(JsonNode node, String partition) {
        if (node == null || !node.isObject() || node.size() != INDEX_KEY_NAMES.size()) {
            throw CursorCodec.invalid();
        }
        Map<String, String> key = new HashMap<>();
        for (var field : node.properties()) {
            if (!INDEX_KEY_NAMES.contains(field.getKey()) || !field.getValue().isTextual()) {
                throw CursorCodec.invalid();
            }
            key.put(field.getKey(), field.getValue().asText());
        }
        String sortKey = key.get(CallTable.GSI1_SK);
        String callId = sortKey == null ? "" : sortKey.substring(sortKey.indexOf('#') + 1);
        if (!partition.equals(key.get(CallTable.GSI1_PK)) || !CallTable.META.equals(key.get(CallTable.SK))
                || !INDEX_SORT_KEY.matcher(sortKey == null ? "" : sortKey).matches()
                || !CallTable.callKey(callId).equals(key.get(CallTable.PK))) {
            throw CursorCodec.invalid();
        }
        return key;
    }

    private static ObjectNode toJson(Map<String, String> key) {
        ObjectNode node = Json.object();
        key.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> node.put(e.getKey(), e.getValue()));
        return node;
    }

    /**
     * Where a page of a call's turns and events starts: after a signed cursor from the previous page, or after a plain
     * position a live page already holds ({@code turnsAfter} = the last turn's seq, {@code eventsAfter} = the last
     * event's id), which is how the console reads only what is new each second.
     */
    public record DetailRead(String turnsCursor, Long turnsAfter, int turnsLimit, String eventsCursor,
                             String eventsAfter, int eventsLimit) {
        public DetailRead {
            if (turnsCursor != null && turnsAfter != null || eventsCursor != null && eventsAfter != null) {
                throw ApiError.invalidRequest("Use either a cursor or an 'after' position, not both");
            }
            if (turnsAfter != null && turnsAfter < -1) {
                throw ApiError.invalidRequest("'turnsAfter' must be a turn seq (or -1)");
            }
            if (eventsAfter != null && !EVENT_ID.matcher(eventsAfter).matches()) {
                throw ApiError.invalidRequest("'eventsAfter' must be an event id");
            }
        }
    }

    /** The call, a page of its turns and a page of its events; 404 {@code call_not_found} when unknown. */
    public ObjectNode detail(String callId, DetailRead read) {
        long afterSeq = read.turnsAfter() == null ? -1 : read.turnsAfter();
        if (read.turnsCursor() != null) {
            ObjectNode payload = cursors.decode("turns", read.turnsCursor());
            JsonNode seq = payload.get("a");
            if (!callId.equals(Json.text(payload, "c")) || seq == null || !seq.canConvertToLong() || seq.asLong() < 0) {
                throw CursorCodec.invalid();
            }
            afterSeq = seq.asLong();
        }
        String afterEvent = read.eventsAfter();
        if (read.eventsCursor() != null) {
            ObjectNode payload = cursors.decode("events", read.eventsCursor());
            afterEvent = Json.text(payload, "a");
            if (!callId.equals(Json.text(payload, "c")) || afterEvent == null || !EVENT_ID.matcher(afterEvent).matches()) {
                throw CursorCodec.invalid();
            }
        }
        CallRecord call = store.get(callId)
                .orElseThrow(() -> new ApiError(404, ErrorCode.CALL_NOT_FOUND, "No call with this id"));
        Page<Turn> turns = store.turns(callId, afterSeq, read.turnsLimit());
        Page<CallEvent> events = store.events(callId, afterEvent, read.eventsLimit());

        ObjectNode body = Json.object();
        ObjectNode callView = body.putObject("call");
        CallViews.writeCall(callView, call);
        if (call.summary() != null) {
            CallViews.writeSummary(callView.putObject("summary"), call.summary());
        }
        ArrayNode turnItems = body.putArray("turns");
        turns.items().forEach(turn -> CallViews.writeTurn(turnItems.addObject(), turn));
        Optional<String> nextTurns = turns.nextKey().map(k -> cursors.encode("turns",
                Json.object().put("c", callId).put("a", Long.parseLong(k.get("afterSeq")))));
        body.put("turnsCursor", nextTurns.orElse(null));
        body.put("turnsAfter", turns.items().isEmpty() ? afterSeq : turns.items().getLast().seq());
        ArrayNode eventItems = body.putArray("events");
        events.items().forEach(event -> CallViews.writeEvent(eventItems.addObject(), event));
        Optional<String> nextEvents = events.nextKey().map(k -> cursors.encode("events",
                Json.object().put("c", callId).put("a", k.get("afterId"))));
        body.put("eventsCursor", nextEvents.orElse(null));
        String lastEvent = events.items().isEmpty() ? afterEvent : events.items().getLast().id();
        if (lastEvent == null) {
            body.putNull("eventsAfter");
        } else {
            body.put("eventsAfter", lastEvent);
        }
        return body;
    }

    /** Reads the page parameters of {@code GET /control/calls/{id}}: cursors or after-positions, and limits. */
    public static DetailRead detailRead(ai.phoneagent.control.api.ApiRequest request, int turnsLimit, int eventsLimit) {
        Long turnsAfter = null;
        String rawAfter = request.query("turnsAfter").filter(s -> !s.isBlank()).orElse(null);
        if (rawAfter != null) {
            try {
                turnsAfter = Long.parseLong(rawAfter.strip());
            } catch (NumberFormatException e) {
                throw ApiError.invalidRequest("'turnsAfter' must be a turn seq (or -1)");
            }
        }
        return new DetailRead(request.query("turnsCursor").filter(s -> !s.isBlank()).orElse(null), turnsAfter,
                Ids.intParam(request, "turnsLimit", turnsLimit, 1, 200),
                request.query("eventsCursor").filter(s -> !s.isBlank()).orElse(null),
                request.query("eventsAfter").filter(s -> !s.isBlank()).orElse(null),
                Ids.intParam(request, "eventsLimit", eventsLimit, 1, 200));
    }

    /** Reads the list parameters of {@code GET /control/calls}. */
    public static int listLimit(ai.phoneagent.control.api.ApiRequest request) {
        return Ids.intParam(request, "limit", 20, 1, 100);
    }
}
