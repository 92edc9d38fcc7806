package ai.phoneagent.simulator;

import ai.phoneagent.openai.OpenAiEndpoints;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.ws.ServerWebSocket;
import ai.phoneagent.simulator.ws.WebSocketHandshake;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Socket;

/**
 * {@code GET /v1/realtime?call_id=…}: refuses a bad key, an {@code OpenAI-Beta} header, an ended or (when not
 * allowed) unknown call; otherwise upgrades, sends {@code session.created}, starts the call's scenario on its
 * first attach and answers client events until the socket closes.
 */
final class RealtimeAttachHandler {
    private static final Logger LOG = Logger.getLogger(RealtimeAttachHandler.class.getName());
    private final Authorization authorization;
    private final SimulatedCalls calls;
    private final RequestLog<ConnectorRequest> log;
    private final Clock clock;
    private final boolean allowUnknownCalls;
    private final Supplier<Scenario> defaultScenario;
    private final Duration awaitTimeout;
    private final IntSupplier attachFault;
    private final ClientEventResponder responder = new ClientEventResponder();
    private final AtomicInteger connections = new AtomicInteger();

    RealtimeAttachHandler(Authorization authorization, SimulatedCalls calls, RequestLog<ConnectorRequest> log,
                          Clock clock, boolean allowUnknownCalls, Supplier<Scenario> defaultScenario,
                          Duration awaitTimeout, IntSupplier attachFault) {
        this.authorization = authorization;
        this.calls = calls;
        this.log = log;
        this.clock = clock;
        this.allowUnknownCalls = allowUnknownCalls;
        this.defaultScenario = defaultScenario;
        this.awaitTimeout = awaitTimeout;
        this.attachFault = attachFault;
    }

    MockResponse handle(RecordedRequest request) {
        Instant at = clock.instant();
        String callId = request.getUrl().queryParameter("call_id");
        MockResponse refusal = refusal(request, callId);
        if (refusal != null) {
            log.add(Requests.record(request, callId, ConnectorRequest.Endpoint.ATTACH, at, refusal.getCode()));
            return refusal;
        }
        CallRuntime call = calls.get(callId);
        log.add(Requests.record(request, callId, ConnectorRequest.Endpoint.ATTACH, at, 101));
        String accept = WebSocketHandshake.acceptValue(request.getHeaders().get("Sec-WebSocket-Key"));
        return new MockResponse.Builder()
                .code(101)
                .clearHeaders()
                .addHeader("Upgrade", "websocket")
                .addHeader("Connection", "Upgrade")
                .addHeader("Sec-WebSocket-Accept", accept)
                .socketHandler(socket -> serve(call, socket))
                .build();
    }

    private MockResponse refusal(RecordedRequest request, String callId) {
        if (!"GET".equals(request.getMethod())) {
            return OpenAiErrors.invalidUrl(request.getMethod(), request.getUrl().encodedPath());
        }
        if (!authorization.allows(request)) {
            return OpenAiErrors.unauthorized();
        }
        if (request.getHeaders().get("OpenAI-Beta") != null) {
            return OpenAiErrors.error(400, "The OpenAI-Beta header must not be sent when attaching to a SIP call:"
                    + " it selects the beta event names.", "invalid_request_error", "OpenAI-Beta", "beta_header_not_allowed");
        }
        if (callId == null || callId.isBlank()) {
            return OpenAiErrors.error(400, "Missing required parameter: 'call_id'.", "invalid_request_error", "call_id",
                    "missing_required_parameter");
        }
        if (!OpenAiEndpoints.isValidCallId(callId)) {
            return OpenAiErrors.callNotFound(callId);
        }
        var headers = request.getHeaders();
        if (!WebSocketHandshake.isUpgrade(headers.get("Connection"), headers.get("Upgrade"), headers.get("Sec-WebSocket-Key"))) {
            return OpenAiErrors.error(426, "This endpoint only accepts WebSocket upgrades.", "invalid_request_error",
                    null, "upgrade_required");
        }
        CallRuntime call = calls.get(callId);
        if (call.isEnded() || (!allowUnknownCalls && !call.isKnown())) {
            return OpenAiErrors.callNotFound(callId);
        }
        int fault = attachFault.getAsInt();
        return switch (fault) {
            case 0 -> null;
            case 401 -> OpenAiErrors.unauthorized();
            case 404 -> OpenAiErrors.callNotFound(callId);
            default -> OpenAiErrors.error(fault, "The server had an error while processing your request. Sorry about that!",
                    fault >= 500 ? "server_error" : "invalid_request_error", null, null);
        };
    }

    private void serve(CallRuntime call, Socket socket) {
        ServerWebSocket webSocket = new ServerWebSocket(socket);
        try {
            webSocket.flushHandshake();
        } catch (IOException e) {
            webSocket.cancel();
            return;
        }
        AttachedSocket connection = new AttachedSocket(connections.incrementAndGet(), webSocket,
                call::transcriptLineSent);
        connection.send(call.events().sessionEvent("session.created", call.session()));
        try {
            Scenario toStart = call.attach(connection, defaultScenario.get());
            if (toStart != null) {
                ScenarioRunner.start(call, toStart, awaitTimeout);
            }
        } catch (IllegalStateException ended) {
            // the call ended while this socket was opening: close it the way the call's other sockets were
            connection.close(call.endedWithCloseFrame(), "call ended");
        }
        webSocket.readLoop(new ServerWebSocket.Listener() {
            @Override
            public void onText(String text) {
                try {
                    responder.onText(call, connection, text);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "answering a client event of call " + call.callId() + " failed", e);
                }
            }

            @Override
            public void onClosed(int code, String reason) {
                call.detach(connection);
            }
        });
    }
}
