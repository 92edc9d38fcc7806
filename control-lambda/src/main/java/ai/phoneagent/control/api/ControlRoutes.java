package ai.phoneagent.control.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The routes this Lambda serves, and matching a method and path to one of them. */
public final class ControlRoutes {
    /** One route: method and path template ({@code {name}} segments are parameters). */
    public enum Route {
        TRANSFER("POST", "/control/calls/{call_id}/transfer"),
        HANGUP("POST", "/control/calls/{call_id}/hangup"),
        INSTRUCTIONS("POST", "/control/calls/{call_id}/instructions"),
        LIST_CALLS("GET", "/control/calls"),
        GET_CALL("GET", "/control/calls/{call_id}"),
        GET_COMMAND("GET", "/control/calls/{call_id}/commands/{command_id}"),
        // call-event webhooks: enqueue a call's events again, with their original webhook-ids
        REPLAY_EVENTS("POST", "/control/calls/{call_id}/events/replay"),
        TRANSFER_TARGETS("GET", "/control/transfer-targets"),
        TWILIO_CONFERENCE_EVENTS("POST", "/twilio/conference-events"),
        // outbound calls (control/outbound); the template routes come before GET /control/outbound/{launch_id}
        OUTBOUND_LAUNCH("POST", "/control/outbound"),
        OUTBOUND_DASHBOARD_LAUNCH("POST", "/control/outbound/launch"),
        OUTBOUND_LIST("GET", "/control/outbound"),
        OUTBOUND_TEMPLATE_CREATE("POST", "/control/outbound/templates"),
        OUTBOUND_TEMPLATE_LIST("GET", "/control/outbound/templates"),
        OUTBOUND_TEMPLATE_GET("GET", "/control/outbound/templates/{template_id}"),
        OUTBOUND_TEMPLATE_UPDATE("PUT", "/control/outbound/templates/{template_id}"),
        OUTBOUND_TEMPLATE_DELETE("DELETE", "/control/outbound/templates/{template_id}"),
        OUTBOUND_GET("GET", "/control/outbound/{launch_id}"),
        TWILIO_OUTBOUND_STATUS("POST", "/twilio/outbound-status");

        private final String method;
        private final String template;
        private final String[] segments;

        Route(String method, String template) {
            this.method = method;
            this.template = template;
            this.segments = template.substring(1).split("/");
        }

        public String method() {
            return method;
        }

        public String template() {
            return template;
        }

        /** {@code "METHOD /path/{param}"}, as listed in {@link #ROUTES}. */
        public String key() {
            return method + " " + template;
        }

        /** Under {@code /control}: needs the bearer token. */
        public boolean isControl() {
            return template.startsWith("/control/");
        }

        Map<String, String> match(String[] path) {
            if (path.length != segments.length) {
                return null;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < segments.length; i++) {
                String expected = segments[i];
                if (expected.startsWith("{")) {
                    if (path[i].isEmpty()) {
                        return null;
                    }
                    params.put(expected.substring(1, expected.length() - 1), path[i]);
                } else if (!expected.equals(path[i])) {
                    return null;
                }
            }
            return params;
        }
    }

    /** Every route as {@code "METHOD /path/{param}"}: what API Gateway must send to this function. */
    public static final List<String> ROUTES = Arrays.stream(Route.values()).map(Route::key).toList();

    /** A matched route with its path parameters (raw, not yet validated). */
    public record Match(Route route, Map<String, String> params) {
        public String param(String name) {
            return params.get(name);
        }
    }

    private ControlRoutes() {
    }

    /** True for paths the bearer token guards ({@code /control} and below). */
    public static boolean isControlPath(String path) {
        return path.equals("/control") || path.startsWith("/control/");
    }

    /** The route for this method and path; 404 {@code not_found} or 405 {@code method_not_allowed} otherwise. */
    public static Match match(String method, String path) {
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (!trimmed.startsWith("/")) {
            throw new ApiError(404, ErrorCode.NOT_FOUND, "No such route");
        }
        String[] segments = trimmed.substring(1).split("/", -1);
        List<String> allowed = new ArrayList<>();
        for (Route route : Route.values()) {
            Map<String, String> params = route.match(segments);
            if (params == null) {
                continue;
            }
            if (route.method.equals(method)) {
                return new Match(route, params);
            }
            allowed.add(route.method);
        }
        if (allowed.isEmpty()) {
            throw new ApiError(404, ErrorCode.NOT_FOUND, "No such route");
        }
        throw new ApiError(405, ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed; use " + String.join(", ", allowed))
                .header("allow", String.join(", ", allowed));
    }
}
