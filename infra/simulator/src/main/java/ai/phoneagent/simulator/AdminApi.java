package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.scenario.Scenario;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A small control surface for a simulator running as its own process (same Bearer key as the Calls API):
 * <ul>
 *   <li>{@code GET /_simulator/calls}: every call's state;</li>
 *   <li>{@code GET /_simulator/calls/{id}} (state and client events),
 *       {@code PUT /_simulator/calls/{id}/scenario} (body: scenario JSON, or {@code {"load":"demo"}}),
 *       {@code POST /_simulator/calls/{id}/hangup[?close_frame=false]} (the caller hangs up),
 *       {@code POST /_simulator/calls/{id}/drop[?close_frame=true]} (network drop, the call goes on),
 *       {@code POST /_simulator/calls/{id}/stall} and {@code …/resume} (the socket goes silent, or on);</li>
 *   <li>{@code GET|PUT|DELETE /_simulator/faults}: connector-wide faults, body
 *       {@code {"accept_status": 500, "accept_delay_ms": 3000, "attach_status": 401, "stall": true,
 *       "responses_status": 500, "responses_delay_ms": 20000}}
 *       (absent fields are cleared);</li>
 *   <li>{@code POST /_simulator/drop[?close_frame=true]}: a network drop of every open socket.</li>
 * </ul>
 */
final class AdminApi {
    static final String PREFIX = "/_simulator/";
    private static final Pattern CALL = Pattern.compile(
            "/_simulator/calls/([A-Za-z0-9_\\-]{1,128})(/scenario|/hangup|/drop|/stall|/resume)?");
    private final ConnectorSimulator simulator;
    private final Authorization authorization;
    private volatile ObjectNode faults = Json.object();

    AdminApi(ConnectorSimulator simulator, Authorization authorization) {
        this.simulator = simulator;
        this.authorization = authorization;
    }

    MockResponse handle(RecordedRequest request) {
        if (!authorization.allows(request)) {
            return OpenAiErrors.unauthorized();
        }
        String path = request.getUrl().encodedPath();
        try {
            switch (request.getMethod() + " " + path) {
                case "GET /_simulator/calls" -> {
                    return OpenAiErrors.json(200, Json.object().set("calls", Json.mapper().valueToTree(simulator.calls())));
                }
                case "GET /_simulator/faults" -> {
                    return OpenAiErrors.json(200, faults);
                }
                case "PUT /_simulator/faults" -> {
                    return OpenAiErrors.json(200, applyFaults(Json.parse(Requests.body(request))));
                }
                case "DELETE /_simulator/faults" -> {
                    return OpenAiErrors.json(200, applyFaults(Json.object()));
                }
                case "POST /_simulator/drop" -> {
                    simulator.dropAll("true".equals(request.getUrl().queryParameter("close_frame")));
                    return OpenAiErrors.json(200, Json.object().put("dropped", true));
                }
                default -> {
                    return callAction(request, path);
                }
            }
        } catch (Exception e) {
            return OpenAiErrors.error(400, String.valueOf(e.getMessage()), "invalid_request_error", null, null);
        }
    }

    private MockResponse callAction(RecordedRequest request, String path) throws Exception {
        Matcher matcher = CALL.matcher(path);
        if (!matcher.matches()) {
            return OpenAiErrors.invalidUrl(request.getMethod(), path);
        }
        String callId = matcher.group(1);
        String action = matcher.group(2) == null ? "" : matcher.group(2);
        String closeFrame = request.getUrl().queryParameter("close_frame");
        switch (request.getMethod() + " " + action) {
            case "GET " -> {
                // described below
            }
            case "PUT /scenario" -> {
                String body = Requests.body(request);
                JsonNode json = Json.parse(body);
                simulator.useScenario(callId, json.has("load") ? Scenario.load(json.get("load").asText()) : Scenario.parse(body));
            }
            case "POST /hangup" -> simulator.hangup(callId, !"false".equals(closeFrame));
            case "POST /drop" -> simulator.dropConnections(callId, "true".equals(closeFrame));
            case "POST /stall" -> simulator.stall(callId, true);
            case "POST /resume" -> simulator.stall(callId, false);
            default -> {
                return OpenAiErrors.invalidUrl(request.getMethod(), path);
            }
        }
        return OpenAiErrors.json(200, describe(callId));
    }

    /** Replaces the connector-wide faults with the ones named in {@code body}; returns what is now in force. */
    private ObjectNode applyFaults(JsonNode body) {
        int acceptStatus = body.path("accept_status").asInt(200);
        long acceptDelay = body.path("accept_delay_ms").asLong(0);
        int attachStatus = body.path("attach_status").asInt(0);
        if (acceptStatus != 200 && (acceptStatus < 400 || acceptStatus > 599) || acceptDelay < 0) {
            throw new IllegalArgumentException("accept_status must be 200 or 4xx/5xx and accept_delay_ms >= 0");
        }
        simulator.refuseAttaches(attachStatus);
        CallsAnswer accept = acceptStatus == 200 ? CallsAnswer.ok() : CallsAnswer.serverError(acceptStatus);
        if (acceptStatus >= 400 && acceptStatus < 500) {
            accept = CallsAnswer.error(acceptStatus, "Simulated accept failure.", "invalid_request_error", null);
        }
        simulator.failAccepts(acceptDelay > 0 ? CallsAnswer.slow(Duration.ofMillis(acceptDelay), accept)
                : acceptStatus == 200 ? null : accept);
        int responsesStatus = body.path("responses_status").asInt(0);
        long responsesDelay = body.path("responses_delay_ms").asLong(0);
        simulator.faultResponses(responsesStatus, Duration.ofMillis(responsesDelay));
        boolean stall = body.path("stall").asBoolean(false);
        simulator.stallAll(stall);
        ObjectNode now = Json.object();
        if (acceptStatus != 200) {
            now.put("accept_status", acceptStatus);
        }
        if (acceptDelay > 0) {
            now.put("accept_delay_ms", acceptDelay);
        }
        if (attachStatus != 0) {
            now.put("attach_status", attachStatus);
        }
        if (stall) {
            now.put("stall", true);
        }
        if (responsesStatus != 0) {
            now.put("responses_status", responsesStatus);
        }
        if (responsesDelay > 0) {
            now.put("responses_delay_ms", responsesDelay);
        }
        faults = now;
        return now;
    }

    private ObjectNode describe(String callId) {
        ObjectNode out = Json.mapper().valueToTree(simulator.call(callId));
        out.set("client_events", Json.mapper().valueToTree(simulator.clientEvents(callId)));
        return out;
    }
}
