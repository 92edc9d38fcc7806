package ai.phoneagent.control.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.control.api.ControlRoutes.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ControlRoutesTest {

    @Test
    void routesConstantListsEveryServedRouteAsMethodAndTemplate() {
        assertThat(ControlRoutes.ROUTES).containsExactly(
                "POST /control/calls/{call_id}/transfer",
                "POST /control/calls/{call_id}/hangup",
                "POST /control/calls/{call_id}/instructions",
                "GET /control/calls",
                "GET /control/calls/{call_id}",
                "GET /control/calls/{call_id}/commands/{command_id}",
                "POST /control/calls/{call_id}/events/replay",
                "GET /control/transfer-targets",
                "POST /twilio/conference-events",
                "POST /control/outbound",
                "POST /control/outbound/launch",
                "GET /control/outbound",
                "POST /control/outbound/templates",
                "GET /control/outbound/templates",
                "GET /control/outbound/templates/{template_id}",
                "PUT /control/outbound/templates/{template_id}",
                "DELETE /control/outbound/templates/{template_id}",
                "GET /control/outbound/{launch_id}",
                "POST /twilio/outbound-status");
    }

    @ParameterizedTest
    @CsvSource({
            "POST, /control/calls/rtc_1/transfer, TRANSFER",
            "POST, /control/calls/rtc_1/hangup, HANGUP",
            "POST, /control/calls/rtc_1/instructions, INSTRUCTIONS",
            "GET, /control/calls, LIST_CALLS",
            "GET, /control/calls/, LIST_CALLS",
            "GET, /control/calls/rtc_1, GET_CALL",
            "GET, /control/calls/rtc_1/commands/cmd_1, GET_COMMAND",
            "GET, /control/transfer-targets, TRANSFER_TARGETS",
            "POST, /twilio/conference-events, TWILIO_CONFERENCE_EVENTS",
            "POST, /control/outbound, OUTBOUND_LAUNCH",
            "POST, /control/outbound/launch, OUTBOUND_DASHBOARD_LAUNCH",
            "GET, /control/outbound, OUTBOUND_LIST",
            "GET, /control/outbound/ol_1, OUTBOUND_GET",
            "GET, /control/outbound/templates, OUTBOUND_TEMPLATE_LIST",
            "GET, /control/outbound/templates/tpl_1, OUTBOUND_TEMPLATE_GET",
            "DELETE, /control/outbound/templates/tpl_1, OUTBOUND_TEMPLATE_DELETE",
            "POST, /twilio/outbound-status, TWILIO_OUTBOUND_STATUS",
    })
    void methodAndPathSelectTheRoute(String method, String path, Route expected) {
        assertThat(ControlRoutes.match(method, path).route()).isEqualTo(expected);
    }

    @Test
    void pathParametersAreCapturedRaw() {
        var match = ControlRoutes.match("GET", "/control/calls/rtc_abc/commands/cmd_9");
        assertThat(match.param("call_id")).isEqualTo("rtc_abc");
        assertThat(match.param("command_id")).isEqualTo("cmd_9");
    }

    @ParameterizedTest
    @CsvSource({"GET, /", "GET, /control", "GET, /control/other", "POST, /control/calls/x/reboot",
            "GET, /control/calls/x/commands", "GET, //control/calls", "POST, /control/calls//hangup",
            "GET, /openai/webhook", "GET, /control/calls/a/b/c/d/e"})
    void unknownPathsAre404NotFound(String method, String path) {
        assertThatThrownBy(() -> ControlRoutes.match(method, path))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("not_found");
                });
    }

    @ParameterizedTest
    @CsvSource({"DELETE, /control/calls, GET", "POST, /control/calls/rtc_1, GET", "GET, /control/calls/rtc_1/hangup, POST",
            "PUT, /twilio/conference-events, POST", "OPTIONS, /control/calls/rtc_1/commands/c1, GET"})
    void aKnownPathWithTheWrongMethodIs405WithAllow(String method, String path, String allow) {
        assertThatThrownBy(() -> ControlRoutes.match(method, path))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(405);
                    assertThat(e.code()).isEqualTo("method_not_allowed");
                    assertThat(e.toResponse().headers()).containsEntry("allow", allow);
                });
    }

    @Test
    void onlyControlPathsNeedTheBearerToken() {
        assertThat(ControlRoutes.isControlPath("/control/calls")).isTrue();
        assertThat(ControlRoutes.isControlPath("/control")).isTrue();
        assertThat(ControlRoutes.isControlPath("/controlx")).isFalse();
        assertThat(ControlRoutes.isControlPath("/twilio/conference-events")).isFalse();
        assertThat(Route.TWILIO_CONFERENCE_EVENTS.isControl()).isFalse();
        assertThat(Route.HANGUP.isControl()).isTrue();
    }
}
