package ai.phoneagent.simulator.twilio;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One request the fake Twilio received: the route's path parameters, the decoded form, the account SID from
 * basic auth (the auth token is never kept) and the status answered.
 */
public record TwilioRequest(String method, String path, String route, String authAccountSid,
                            Map<String, String> pathParams, Map<String, List<String>> form, Instant receivedAt,
                            int status) {
    /** Route names. */
    public static final String CREATE_PARTICIPANT = "participants.create";
    public static final String UPDATE_PARTICIPANT = "participants.update";
    public static final String DELETE_PARTICIPANT = "participants.delete";
    public static final String UPDATE_CALL = "calls.update";
    public static final String CREATE_CALL = "calls.create";
    public static final String OTHER = "other";

    public TwilioRequest {
        pathParams = Map.copyOf(pathParams);
        form = Map.copyOf(form);
    }

    /** The first value of a form parameter, or null. */
    public String param(String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** Every value of a repeated form parameter (e.g. {@code StatusCallbackEvent}). */
    public List<String> params(String name) {
        return form.getOrDefault(name, List.of());
    }
}
