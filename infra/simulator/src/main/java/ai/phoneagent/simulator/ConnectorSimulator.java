package ai.phoneagent.simulator;

import ai.phoneagent.openai.OpenAiEndpoints;
import ai.phoneagent.simulator.scenario.Scenario;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import mockwebserver3.MockWebServer;

/**
 * A simulator of OpenAI's Realtime SIP connector on loopback: the Calls API ({@code accept}, {@code reject},
 * {@code hangup}, {@code refer}) and the call WebSocket ({@code /v1/realtime?call_id=…}) driven by scenarios, plus
 * the Responses API with a JSON schema ({@code POST /v1/responses}) that call summaries use.
 * Point a client at {@link #baseUrl()} (or {@link #endpoints()}) with the configured API key.
 */
public final class ConnectorSimulator implements AutoCloseable {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ConnectorSimulator.class.getName());
    private final SimulatorConfig config;
    private final MockWebServer server = new MockWebServer();
    private final SimulatedCalls calls;
    private final AnswerScript script = new AnswerScript();
    private final RequestLog<ConnectorRequest> log = new RequestLog<>();
    private volatile Scenario defaultScenario;
    private volatile int attachFault;
    private volatile ResponsesApiHandler.Fault responsesFault = ResponsesApiHandler.Fault.NONE;

    private ConnectorSimulator(SimulatorConfig config) {
        this.config = config;
        // out of file descriptors (thousands of live calls), the server waits for one instead of stopping for good
        server.setServerSocketFactory(new PatientServerSocketFactory(LOG::warning));
        this.calls = new SimulatedCalls(config.clock(), config.model());
        this.defaultScenario = config.defaultScenario();
        Authorization authorization = new Authorization(config.apiKey());
        CallsApiHandler callsApi = new CallsApiHandler(authorization, calls, script, log, config.clock(),
                config.allowUnknownCalls(), config.validateAcceptBodies());
        RealtimeAttachHandler attach = new RealtimeAttachHandler(authorization, calls, log, config.clock(),
                config.allowUnknownCalls(), () -> defaultScenario, config.awaitTimeout(), () -> attachFault);
        ResponsesApiHandler responses = new ResponsesApiHandler(authorization, log, config.clock(), () -> responsesFault);
        server.setDispatcher(new ConnectorDispatcher(callsApi, attach, responses, new AdminApi(this, authorization),
                log, config.clock()));
    }

    /** Starts a simulator with {@link SimulatorConfig#defaults()}. */
    public static ConnectorSimulator start() {
        return start(SimulatorConfig.defaults());
    }

    /** Starts a simulator on 127.0.0.1 (port from the config; 0 = ephemeral). */
    public static ConnectorSimulator start(SimulatorConfig config) {
        ConnectorSimulator simulator = new ConnectorSimulator(config);
        try {
            simulator.server.start(InetAddress.getByName("127.0.0.1"), config.port());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the connector simulator on port " + config.port(), e);
        }
        return simulator;
    }

    /** {@code http://127.0.0.1:<port>}: use as {@code OPENAI_BASE_URL}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getPort());
    }

    public int port() {
        return server.getPort();
    }

    /** The project's endpoint helper pointed at this simulator. */
    public OpenAiEndpoints endpoints() {
        return new OpenAiEndpoints(baseUrl());
    }

    public SimulatorConfig config() {
        return config;
    }

    // --- calls and scenarios -------------------------------------------------------------------------------

    /** A fresh {@code rtc_…} call id, registered (known) and using the default scenario. */
    public String newCall() {
        String callId = OpenAiIds.callId();
        registerCall(callId);
        return callId;
    }

    /** A fresh registered call id that will run {@code scenario}. */
    public String newCall(Scenario scenario) {
        String callId = OpenAiIds.callId();
        useScenario(callId, scenario);
        return callId;
    }

    /** Makes a call id known (matters when unknown calls are not allowed). */
    public void registerCall(String callId) {
        calls.get(validId(callId)).markKnown();
    }

    /** The scenario this call runs on its first attach; throws once it has started. */
    public void useScenario(String callId, Scenario scenario) {
        calls.get(validId(callId)).useScenario(Objects.requireNonNull(scenario, "scenario"));
    }

    /** The scenario for calls without one of their own. */
    public void setDefaultScenario(Scenario scenario) {
        this.defaultScenario = Objects.requireNonNull(scenario, "scenario");
    }

    /** The caller hangs up: the call ends, its sockets close (with or without a close frame), re-attach gets 404. */
    public void hangup(String callId, boolean closeFrame) {
        calls.get(validId(callId)).end("caller hung up", closeFrame);
    }

    /** The network drops the call's sockets; the call goes on and may be re-attached. */
    public void dropConnections(String callId, boolean closeFrame) {
        calls.get(validId(callId)).dropConnections(closeFrame);
    }

    // --- faults (for chaos tests and the admin API) ------------------------------------------------------

    /** Every accept is answered with {@code answer} from now on (e.g. {@code slow(3 s, ok())}); null: normal again. */
    public void failAccepts(CallsAnswer answer) {
        script.alwaysAnyCall(CallVerb.ACCEPT, answer);
    }

    /** Every WebSocket attach is refused with {@code status} (401, 404, 5xx…); 0: attaches work again. */
    public void refuseAttaches(int status) {
        if (status != 0 && (status < 400 || status > 599)) {
            throw new IllegalArgumentException("attach status must be 0 or 4xx/5xx");
        }
        this.attachFault = status;
    }

    /** The status every attach is refused with, 0 when attaches work. */
    public int attachFault() {
        return attachFault;
    }

    /**
     * Every {@code POST /v1/responses} is answered with {@code status} (e.g. 500; 0: the normal answer) after
     * {@code delay} (zero: at once).
     */
    public void faultResponses(int status, Duration delay) {
        if (status != 0 && (status < 400 || status > 599) || delay.isNegative()) {
            throw new IllegalArgumentException("responses status must be 0 or 4xx/5xx and the delay not negative");
        }
        this.responsesFault = new ResponsesApiHandler.Fault(status, delay);
    }

    /** The Responses API fault in force: its status (0: none) and delay. */
    public int responsesFaultStatus() {
        return responsesFault.status();
    }

    /** A network drop of every open socket of every call (the calls go on). */
    public void dropAll(boolean closeFrame) {
        calls.all().forEach(call -> call.dropConnections(closeFrame));
    }

    /** The call's sockets go silent without closing (no FIN, no RST, no pong) or, with false, go on. */
    public void stall(String callId, boolean stall) {
        calls.get(validId(callId)).stall(stall);
    }

    /** Every call's sockets stall (or go on). */
    public void stallAll(boolean stall) {
        calls.all().forEach(call -> call.stall(stall));
    }

    /** Clears every fault: accepts and attaches answer normally, stalled sockets go on. */
    public void clearFaults() {
        failAccepts(null);
        refuseAttaches(0);
        faultResponses(0, Duration.ZERO);
        stallAll(false);
    }

    /** Every call seen so far, as snapshots. */
    public List<CallSnapshot> calls() {
        return calls.all().stream().map(CallRuntime::snapshot).toList();
    }

    /** The call's current state (a call never seen is reported as unknown and idle). */
    public CallSnapshot call(String callId) {
        return calls.get(validId(callId)).snapshot();
    }

    /** Waits until the call's state satisfies {@code condition}. */
    public CallSnapshot awaitCall(String callId, Predicate<CallSnapshot> condition, Duration timeout) {
        CallRuntime call = calls.get(validId(callId));
        CallSnapshot snapshot = interruptibly(() -> call.awaitSnapshot(condition, Deadline.after(timeout)));
        if (snapshot == null) {
            throw new SimulatorTimeoutException("call " + callId + " did not reach the awaited state within "
                    + timeout.toMillis() + " ms; now " + call.snapshot());
        }
        return snapshot;
    }

    // --- client events -------------------------------------------------------------------------------------

    /** Every parsed client event of the call, in arrival order (copies). */
    public List<JsonNode> clientEvents(String callId) {
        return calls.get(validId(callId)).clientEvents();
    }

    /** Client messages of the call that were not JSON objects. */
    public List<String> invalidClientMessages(String callId) {
        return calls.get(validId(callId)).invalidMessages();
    }

    /** The first client event of the call matching {@code condition}, waiting up to {@code timeout}. */
    public JsonNode awaitClientEvent(String callId, Predicate<JsonNode> condition, Duration timeout) {
        CallRuntime call = calls.get(validId(callId));
        int index = interruptibly(() -> call.awaitClientEvent(condition, 0, Deadline.after(timeout), false));
        if (index < 0) {
            throw new SimulatorTimeoutException("call " + callId + " got no matching client event within "
                    + timeout.toMillis() + " ms; received " + call.clientEvents().stream()
                    .map(e -> e.path("type").asText("?")).toList());
        }
        return call.clientEvents().get(index);
    }

    /** The first client event of the call with this {@code type}. */
    public JsonNode awaitClientEvent(String callId, String type, Duration timeout) {
        return awaitClientEvent(callId, e -> type.equals(e.path("type").asText()), timeout);
    }

    // --- Calls API scripting and recording -----------------------------------------------------------------

    /** Queues answers for this call and verb, used once each in order; then the default (or a sticky answer). */
    public void answer(String callId, CallVerb verb, CallsAnswer... answers) {
        script.enqueue(validId(callId), verb, List.of(answers));
    }

    /** Queues answers for this verb on whichever calls ask next (after call-specific ones). */
    public void answerAnyCall(CallVerb verb, CallsAnswer... answers) {
        script.enqueueAnyCall(verb, List.of(answers));
    }

    /** Answers this call and verb the same way every time (after any queued answers). */
    public void answerAlways(String callId, CallVerb verb, CallsAnswer answer) {
        script.always(validId(callId), verb, answer);
    }

    /** Forgets every scripted answer. */
    public void clearAnswers() {
        script.clear();
    }

    /** Every request received (Calls API, WebSocket attaches, stray paths), in arrival order. */
    public List<ConnectorRequest> requests() {
        return log.all();
    }

    /** The requests about one call. */
    public List<ConnectorRequest> requests(String callId) {
        return log.all().stream().filter(r -> callId.equals(r.callId())).toList();
    }

    /** The first recorded request matching {@code condition}, waiting up to {@code timeout}. */
    public ConnectorRequest awaitRequest(Predicate<ConnectorRequest> condition, Duration timeout) {
        ConnectorRequest request = interruptibly(() -> log.await(condition, Deadline.after(timeout)));
        if (request == null) {
            throw new SimulatorTimeoutException("no matching request within " + timeout.toMillis() + " ms; got "
                    + log.all());
        }
        return request;
    }

    /** Waits for a request to this call's endpoint (e.g. the worker's hangup). */
    public ConnectorRequest awaitRequest(String callId, ConnectorRequest.Endpoint endpoint, Duration timeout) {
        return awaitRequest(r -> callId.equals(r.callId()) && r.endpoint() == endpoint, timeout);
    }

    /** Drops every socket, stops every scenario and the server. */
    @Override
    public void close() {
        calls.shutdown();
        server.close();
    }

    @Override
    public String toString() {
        return "ConnectorSimulator[" + baseUrl() + "]";
    }

    private static String validId(String callId) {
        if (!OpenAiEndpoints.isValidCallId(callId)) {
            throw new IllegalArgumentException("invalid call id");
        }
        return callId;
    }

    private interface Wait<T> {
        T get() throws InterruptedException;
    }

    private static <T> T interruptibly(Wait<T> wait) {
        try {
            return wait.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SimulatorTimeoutException("interrupted while waiting");
        }
    }
}
