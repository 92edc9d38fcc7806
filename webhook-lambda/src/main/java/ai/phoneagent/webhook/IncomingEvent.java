package ai.phoneagent.webhook;

import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.call.SipHeader;
import ai.phoneagent.json.Json;
import ai.phoneagent.openai.OpenAiEndpoints;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Parses a verified webhook body: which event it is and, for an incoming call, the call. */
sealed interface IncomingEvent {
    int MAX_HEADERS = 64;
    int MAX_HEADER_VALUE = 1024;

    /** {@code realtime.call.incoming} with a valid call id. */
    record CallIncoming(IncomingCall call) implements IncomingEvent {
    }

    /** Any other event type: acknowledged, nothing done. */
    record Other(String type) implements IncomingEvent {
    }

    /** Not something we can act on; {@code reason} is safe to return. */
    record Malformed(String reason) implements IncomingEvent {
    }

    static IncomingEvent parse(byte[] body, String webhookId) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (Exception e) {
            return new Malformed("body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            return new Malformed("body is not a JSON object");
        }
        String type = Json.text(root, "type");
        if (type == null) {
            return new Malformed("event has no type");
        }
        if (!type.equals("realtime.call.incoming")) {
            return new Other(type);
        }
        JsonNode data = root.path("data");
        String callId = Json.text(data, "call_id");
        if (callId == null) {
            return new Malformed("data.call_id is missing");
        }
        if (!OpenAiEndpoints.isValidCallId(callId)) {
            return new Malformed("data.call_id is malformed");
        }
        List<SipHeader> headers = new ArrayList<>();
        for (JsonNode header : data.path("sip_headers")) {
            String name = Json.text(header, "name");
            String value = Json.text(header, "value");
            if (name == null || value == null || headers.size() >= MAX_HEADERS) {
                continue; // untrusted input: keep what is well-formed, bounded
            }
            headers.add(new SipHeader(truncate(name, 128), truncate(value, MAX_HEADER_VALUE)));
        }
        return new CallIncoming(new IncomingCall(callId, webhookId, headers));
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
