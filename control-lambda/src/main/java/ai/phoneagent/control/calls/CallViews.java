package ai.phoneagent.control.calls;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallSummary;
import ai.phoneagent.call.Turn;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * What operators see of a call. Built field by field from an allow-list: the call token, SIP headers (which can
 * carry it), webhook id, queue URL and bookkeeping never leave the table.
 */
public final class CallViews {
    private CallViews() {
    }

    /** The call as a list entry or detail header. */
    public static void writeCall(ObjectNode out, CallRecord call) {
        out.put("callId", call.callId());
        out.put("status", call.status().name());
        out.put("live", !call.status().isTerminal());
        putText(out, "from", call.from());
        putText(out, "to", call.to());
        out.put("direction", call.direction());
        putText(out, "launchId", call.launchId());
        putText(out, "conferenceName", call.conferenceName());
        putTime(out, "createdAt", call.createdAt());
        putTime(out, "acceptedAt", call.acceptedAt());
        putTime(out, "attachedAt", call.attachedAt());
        putTime(out, "endedAt", call.endedAt());
        putText(out, "endReason", call.endReason());
        putText(out, "failureReason", call.failureReason());
        putText(out, "owner", call.owner());
        putTime(out, "leaseUntil", call.leaseUntil());
        // commands reach it through a worker: one holds it, or held it and named its queue (made for its first command)
        out.put("controlReady", call.controlQueueUrl() != null || call.status() == CallStatus.ATTACHED);
        out.put("turnCount", call.nextSeq());
    }

    /**
     * The call's post-call summary (detail only): {@code status} ({@code pending}, {@code done}, {@code failed},
     * {@code skipped}), the model's fields once done, or the {@code error} that stopped it.
     */
    public static void writeSummary(ObjectNode out, CallSummary summary) {
        out.put("status", summary.status().wireName());
        CallSummary.Fields fields = summary.fields();
        if (fields != null) {
            out.put("summary", fields.summary());
            out.put("reason", fields.reason());
            out.put("outcome", fields.outcome());
            out.put("followUpNeeded", fields.followUpNeeded());
            out.put("followUp", fields.followUp());
            out.put("sentiment", fields.sentiment());
        }
        putText(out, "model", summary.model());
        putTime(out, "at", summary.at());
        putText(out, "error", summary.error());
        out.put("attempts", summary.attempts());
    }

    public static void writeTurn(ObjectNode out, Turn turn) {
        out.put("seq", turn.seq());
        out.put("speaker", turn.speaker().wireName());
        putText(out, "text", turn.text());
        putTime(out, "ts", turn.ts());
    }

    public static void writeEvent(ObjectNode out, CallEvent event) {
        out.put("id", event.id());
        putText(out, "kind", event.kind());
        if (event.details() != null) {
            out.set("details", event.details());
        }
        putTime(out, "ts", event.ts());
    }

    static void putText(ObjectNode out, String field, String value) {
        if (value != null) {
            out.put(field, value);
        }
    }

    static void putTime(ObjectNode out, String field, Instant value) {
        if (value != null) {
            out.put(field, value.toString());
        }
    }
}
