package ai.phoneagent.simulator;

import java.time.Clock;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/** Routes the simulator's HTTP requests: Calls API, call WebSocket, Responses API, admin endpoints, health. */
final class ConnectorDispatcher extends Dispatcher {
    private static final Pattern CALLS = Pattern.compile("/v1/realtime/calls/([^/]+)/([^/]+)");
    private final CallsApiHandler callsApi;
    private final RealtimeAttachHandler attach;
    private final ResponsesApiHandler responses;
    private final AdminApi admin;
    private final RequestLog<ConnectorRequest> log;
    private final Clock clock;

    ConnectorDispatcher(CallsApiHandler callsApi, RealtimeAttachHandler attach, ResponsesApiHandler responses,
                        AdminApi admin, RequestLog<ConnectorRequest> log, Clock clock) {
        this.callsApi = callsApi;
        this.responses = responses;
        this.attach = attach;
        this.admin = admin;
        this.log = log;
        this.clock = clock;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        if (path.equals("/v1/realtime")) {
            return attach.handle(request);
        }
        if (path.equals(ResponsesApiHandler.PATH)) {
            return responses.handle(request);
        }
        Matcher calls = CALLS.matcher(path);
        if (calls.matches()) {
            CallVerb verb = CallVerb.fromPath(calls.group(2));
            if (verb != null && request.getMethod().equals("POST")) {
                return callsApi.handle(request, calls.group(1), verb);
            }
        }
        if (path.equals("/health")) {
            return OpenAiErrors.json(200, Map.of("ok", true));
        }
        if (path.startsWith(AdminApi.PREFIX)) {
            return admin.handle(request);
        }
        log.add(Requests.record(request, null, ConnectorRequest.Endpoint.OTHER, clock.instant(), 404));
        return OpenAiErrors.invalidUrl(request.getMethod(), path);
    }
}
