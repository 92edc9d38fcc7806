package ai.phoneagent.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mockwebserver3.RecordedRequest;

/** Turns mockwebserver's recorded requests into {@link ConnectorRequest}s. */
final class Requests {
    private Requests() {
    }

    static ConnectorRequest record(RecordedRequest request, String callId, ConnectorRequest.Endpoint endpoint,
                                   Instant at, int status) {
        return new ConnectorRequest(request.getMethod(), request.getUrl().encodedPath(),
                request.getUrl().encodedQuery(), callId, endpoint, headers(request), body(request), at, status);
    }

    static String body(RecordedRequest request) {
        return request.getBody() == null ? "" : request.getBody().utf8();
    }

    static Map<String, List<String>> headers(RecordedRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : request.getHeaders().names()) {
            headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(new ArrayList<>(request.getHeaders().values(name))));
        }
        return headers;
    }
}
