package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.scenario.Scenario;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A small control surface for a simulator running as its own process (same Bearer key as the Calls API):
 * {@code PUT /_simulator/calls/{id}/scenario} (body: scenario JSON, or {@code {"load":"demo"}}),
 * {@code GET /_simulator/calls/{id}} (state and client events),
 * {@code POST /_simulator/calls/{id}/hangup[?close_frame=false]} (the caller hangs up).
 */
final class AdminApi {
    static final String PREFIX = "/_simulator/";
    private static final Pattern CALL = Pattern.compile("/_simulator/calls/([A-Za-z0-9_\\-]{1,128})(/scenario|/hangup)?");
    private final ConnectorSimulator simulator;
    private final Authorization authorization;

    AdminApi(ConnectorSimulator simulator, Authorization authorization) {
        this.simulator = simulator;
        this.authorization = authorization;
    }

    MockResponse handle(RecordedRequest request) {
        if (!authorization.allows(request)) {
            return OpenAiErrors.unauthorized();
        }
        Matcher matcher = CALL.matcher(request.getUrl().encodedPath());
        if (!matcher.matches()) {
            return OpenAiErrors.invalidUrl(request.getMethod(), request.getUrl().encodedPath());
        }
        String callId = matcher.group(1);
        String action = matcher.group(2) == null ? "" : matcher.group(2);
        try {
            return switch (request.getMethod() + " " + action) {
                case "GET " -> OpenAiErrors.json(200, describe(callId));
                case "PUT /scenario" -> {
                    String body = Requests.body(request);
                    var json = Json.parse(body);
                    Scenario scenario = json.has("load") ? Scenario.load(json.get("load").asText()) : Scenario.parse(body);
                    simulator.useScenario(callId, scenario);
                    yield OpenAiErrors.json(200, describe(callId));
                }
                case "POST /hangup" -> {
                    simulator.hangup(callId, !"false".equals(request.getUrl().queryParameter("close_frame")));
                    yield OpenAiErrors.json(200, describe(callId));
                }
                default -> OpenAiErrors.invalidUrl(request.getMethod(), request.getUrl().encodedPath());
            };
        } catch (Exception e) {
            return OpenAiErrors.error(400, String.valueOf(e.getMessage()), "invalid_request_error", null, null);
        }
    }

    private ObjectNode describe(String callId) {
        ObjectNode out = Json.mapper().valueToTree(simulator.call(callId));
        out.set("client_events", Json.mapper().valueToTree(simulator.clientEvents(callId)));
        return out;
    }
}
