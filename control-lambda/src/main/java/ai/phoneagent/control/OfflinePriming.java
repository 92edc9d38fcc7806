package ai.phoneagent.control;

import ai.phoneagent.control.api.ApiRequest;
import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.logging.JsonLog;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * SnapStart priming of the control API's real path: authenticated requests of the kinds operators send (list calls,
 * a call's detail, a command, the transfer targets) run through a copy of the service whose AWS clients never touch
 * the network ({@link AwsClients#offline()}: every DynamoDB read finds nothing). So routing, auth, the store's
 * queries, SDK marshalling, signing and unmarshalling, views and error rendering are loaded and compiled before the
 * snapshot, with nothing that could outlive the restore, and with log lines discarded.
 */
final class OfflinePriming {
    private OfflinePriming() {
    }

    /** Runs the requests {@code rounds} times; returns how many were answered below 500 (none should fail). */
    static int prime(ControlConfig config, Clock clock, int rounds) {
        AwsClients.prepareTls(); // the https connections' TLS context, built lazily otherwise
        ControlService offline = ControlService.create(config, AwsClients.offline(), clock);
        String bearer = "Bearer " + config.controlApiToken().map(Secret::reveal).orElse("prime-token-value");
        Map<String, String> headers = Map.of("authorization", bearer, "content-type", "application/json");
        byte[] hangup = "{\"reason\":\"prime\"}".getBytes(StandardCharsets.UTF_8);
        List<ApiRequest> requests = List.of(
                ApiRequest.of("GET", "/control/calls", "", headers, null, "prime"),
                ApiRequest.of("GET", "/control/calls", "status=recent&limit=5", headers, null, "prime"),
                ApiRequest.of("GET", "/control/calls/rtc_prime", "", headers, null, "prime"),
                ApiRequest.of("GET", "/control/calls/rtc_prime", "turnsAfter=0&eventsAfter=0", headers, null, "prime"),
                ApiRequest.of("POST", "/control/calls/rtc_prime/hangup", "", headers, hangup, "prime"),
                ApiRequest.of("GET", "/control/transfer-targets", "", headers, null, "prime"));
        int answered = 0;
        PrintStream logs = JsonLog.current();
        JsonLog.redirect(new PrintStream(OutputStream.nullOutputStream()));
        try {
            for (int i = 0; i < rounds; i++) {
                for (ApiRequest request : requests) {
                    if (offline.handle(request, null).status() < 500) {
                        answered++;
                    }
                }
            }
        } finally {
            JsonLog.redirect(logs);
        }
        return answered;
    }
}
