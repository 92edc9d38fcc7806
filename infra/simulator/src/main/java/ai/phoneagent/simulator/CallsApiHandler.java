package ai.phoneagent.simulator;

import ai.phoneagent.openai.OpenAiEndpoints;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

/**
 * {@code POST /v1/realtime/calls/{call_id}/{verb}}: checks the key, validates bodies like OpenAI, plays scripted
 * answers, applies the verb's effect on a 200 (accept, end the call, record the refer target) and records it all.
 */
final class CallsApiHandler {
    private final Authorization authorization;
    private final SimulatedCalls calls;
    private final AnswerScript script;
    private final RequestLog<ConnectorRequest> log;
    private final Clock clock;
    private final boolean allowUnknownCalls;
    private final boolean validateAcceptBodies;

    CallsApiHandler(Authorization authorization, SimulatedCalls calls, AnswerScript script,
                    RequestLog<ConnectorRequest> log, Clock clock, boolean allowUnknownCalls,
                    boolean validateAcceptBodies) {
        this.authorization = authorization;
        this.calls = calls;
        this.script = script;
        this.log = log;
        this.clock = clock;
        this.allowUnknownCalls = allowUnknownCalls;
        this.validateAcceptBodies = validateAcceptBodies;
    }

    MockResponse handle(RecordedRequest request, String callId, CallVerb verb) {
        Instant at = clock.instant();
        ConnectorRequest.Endpoint endpoint = ConnectorRequest.Endpoint.of(verb);
        if (!authorization.allows(request)) {
            log.add(Requests.record(request, callId, endpoint, at, 401));
            return OpenAiErrors.unauthorized();
        }
        if (!OpenAiEndpoints.isValidCallId(callId)) {
            log.add(Requests.record(request, callId, endpoint, at, 404));
            return OpenAiErrors.callNotFound(callId);
        }
        CallRuntime call = calls.get(callId);
        JsonNode body = ConnectorRequest.leniently(Requests.body(request));
        MockResponse invalid = validate(verb, body);
        if (invalid != null) {
            log.add(Requests.record(request, callId, endpoint, at, invalid.getCode()));
            return invalid;
        }
        CallsAnswer answer = script.next(callId, verb);
        if (answer == null) {
            answer = call.isEnded() || (!allowUnknownCalls && !call.isKnown())
                    ? CallsAnswer.notFound() : CallsAnswer.ok();
        }
        Duration delay = Duration.ZERO;
        while (answer instanceof CallsAnswer.Slow(Duration wait, CallsAnswer then)) {
            delay = delay.plus(wait);
            answer = then;
        }
        MockResponse response = switch (answer) {
            case CallsAnswer.Ok() -> {
                apply(call, verb, body);
                yield OpenAiErrors.ok();
            }
            case CallsAnswer.NotFound() -> OpenAiErrors.callNotFound(callId);
            case CallsAnswer.Error(int status, String message, String type, String code) ->
                    OpenAiErrors.error(status, message, type, null, code);
            case CallsAnswer.Disconnect() -> new MockResponse.Builder()
                    .onResponseStart(new SocketEffect.CloseSocket()).build();
            case CallsAnswer.Slow slow -> throw new IllegalStateException("unwrapped above");
        };
        int status = answer instanceof CallsAnswer.Disconnect ? 0 : response.getCode();
        log.add(Requests.record(request, callId, endpoint, at, status));
        if (!delay.isZero()) {
            response = response.newBuilder().headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS).build();
        }
        return response;
    }

    private MockResponse validate(CallVerb verb, JsonNode body) {
        return switch (verb) {
            case ACCEPT -> {
                if (!validateAcceptBodies) {
                    yield null;
                }
                SessionRules.Problem problem = SessionRules.check(body, "");
                yield problem == null ? null
                        : OpenAiErrors.error(400, problem.message(), "invalid_request_error", problem.param(), problem.code());
            }
            case REFER -> body != null && body.path("target_uri").isTextual() && !body.path("target_uri").asText().isBlank()
                    ? null
                    : OpenAiErrors.error(400, "Missing required parameter: 'target_uri'.", "invalid_request_error",
                    "target_uri", "missing_required_parameter");
            case REJECT -> body == null || body.isObject() && (!body.has("status_code") || body.get("status_code").isInt())
                    ? null
                    : OpenAiErrors.error(400, "Invalid type for 'status_code': expected an integer.",
                    "invalid_request_error", "status_code", "invalid_type");
            case HANGUP -> null;
        };
    }

    private static void apply(CallRuntime call, CallVerb verb, JsonNode body) {
        switch (verb) {
            case ACCEPT -> call.accepted(body);
            case REJECT -> call.end("rejected", true);
            case HANGUP -> call.end("hung up via the Calls API", true);
            case REFER -> call.referred(body.path("target_uri").asText());
        }
    }
}
