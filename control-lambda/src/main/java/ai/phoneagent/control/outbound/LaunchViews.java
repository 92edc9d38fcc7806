package ai.phoneagent.control.outbound;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.json.Json;
import ai.phoneagent.outbound.Launch;
import ai.phoneagent.outbound.LaunchTemplate;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** JSON of launches and templates. Never the SIP key (or its hash). */
final class LaunchViews {
    private LaunchViews() {
    }

    static ObjectNode launch(Launch launch) {
        ObjectNode out = Json.object();
        out.put("launch_id", launch.launchId());
        out.put("status", launch.status().wireName());
        out.put("to", launch.to());
        out.put("from", launch.from());
        out.put("template_id", launch.templateId());
        out.put("callee_name", launch.calleeName());
        out.put("objective", launch.objective());
        out.put("instructions", launch.instructions());
        out.put("opening", launch.opening());
        out.put("voice", launch.voice());
        out.put("model", launch.model());
        if (launch.metadata() != null) {
            try {
                out.set("metadata", Json.parse(launch.metadata()));
            } catch (java.io.IOException | RuntimeException e) {
                out.putNull("metadata");
            }
        }
        out.put("twilio_call_sid", launch.twilioCallSid());
        out.put("call_id", launch.callId());
        out.put("created_at", time(launch.createdAt()));
        out.put("updated_at", time(launch.updatedAt()));
        if (launch.errorCode() != null) {
            out.putObject("error").put("code", launch.errorCode()).put("message", launch.errorMessage());
        }
        ArrayNode timeline = out.putArray("timeline");
        for (Launch.Transition t : launch.timeline()) {
            ObjectNode entry = timeline.addObject().put("status", t.status().wireName()).put("at", time(t.at()));
            if (t.code() != null) {
                entry.put("code", t.code());
            }
            if (t.detail() != null) {
                entry.put("detail", t.detail());
            }
        }
        return out;
    }

    static ObjectNode call(CallRecord call) {
        ObjectNode out = Json.object();
        out.put("call_id", call.callId());
        out.put("status", call.status().name());
        out.put("direction", call.direction());
        out.put("launch_id", call.launchId());
        out.put("created_at", time(call.createdAt()));
        out.put("attached_at", time(call.attachedAt()));
        out.put("ended_at", time(call.endedAt()));
        out.put("end_reason", call.endReason());
        return out;
    }

    static ObjectNode template(LaunchTemplate template) {
        ObjectNode out = Json.object();
        out.put("template_id", template.templateId());
        out.put("name", template.name());
        out.put("instructions", template.instructions());
        out.put("opening", template.opening());
        out.put("voice", template.voice());
        out.put("model", template.model());
        out.put("created_at", time(template.createdAt()));
        out.put("updated_at", time(template.updatedAt()));
        return out;
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
