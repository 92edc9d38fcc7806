package ai.phoneagent.control;

import ai.phoneagent.aws.AwsClients;
import ai.phoneagent.callevents.CallEventMessage;
import ai.phoneagent.callevents.CallEventReplay;
import ai.phoneagent.callevents.CallEventsQueue;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.command.Command;
import ai.phoneagent.command.CommandDispatch;
import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.CommandType;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.config.ColdStart;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ApiRequest;
import ai.phoneagent.control.api.ApiResponse;
import ai.phoneagent.control.api.BearerAuth;
import ai.phoneagent.control.api.ControlRoutes;
import ai.phoneagent.control.api.ErrorCode;
import ai.phoneagent.control.api.Ids;
import ai.phoneagent.control.api.JsonBodies;
import ai.phoneagent.control.calls.CallQueries;
import ai.phoneagent.control.calls.CallViews;
import ai.phoneagent.control.calls.CursorCodec;
import ai.phoneagent.control.calls.RecentFilter;
import ai.phoneagent.control.commands.AckWait;
import ai.phoneagent.control.commands.CommandRequests;
import ai.phoneagent.control.commands.CommandService;
import ai.phoneagent.control.commands.CallsApiCommands;
import ai.phoneagent.control.commands.CommandViews;
import ai.phoneagent.control.commands.TransferTargets;
import ai.phoneagent.control.outbound.OutboundCallbacks;
import ai.phoneagent.control.outbound.OutboundService;
import ai.phoneagent.control.outbound.TwilioDialer;
import ai.phoneagent.control.twilio.ConferenceEvents;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.metrics.Dimension;
import ai.phoneagent.metrics.EmfWriter;
import ai.phoneagent.metrics.Measurement;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.metrics.MetricRecorder;
import ai.phoneagent.outbound.LaunchStore;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.CallsTransport;
import ai.phoneagent.openai.OpenAiEndpoints;
import ai.phoneagent.openai.RetryPolicy;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.random.RandomGenerator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The control API: one request in, one response out. Authenticates /control routes, routes, validates, and calls
 * the query, command or Twilio service; maps every failure to the JSON error shape; writes one log line per request.
 * A local HTTP server can call {@link #handle(APIGatewayV2HTTPEvent)} or {@link #handle(ApiRequest, Duration)}.
 */
public final class ControlService {
    private static final JsonLog LOG = JsonLog.forComponent("control-lambda");
    public static final int DEFAULT_TURNS_LIMIT = 50;
    public static final int DEFAULT_EVENTS_LIMIT = 50;

    /** The control side's own Calls API budget: it answers within the ack timeout plus about a second. */
    static final RetryPolicy OWNERLESS_RETRY = new RetryPolicy(Duration.ofMillis(900), Duration.ofMillis(100),
            Duration.ofMillis(400), RandomGenerator.getDefault());

    private final ControlConfig config;
    private final BearerAuth auth;
    private final CallQueries queries;
    private final CommandRequests commandRequests;
    private final CommandService commands;
    private final ConferenceEvents conference;
    private final CursorCodec cursors;
    private final OutboundService outbound;
    private final OutboundCallbacks outboundCallbacks;
    private final Optional<CallEventReplay> replay;
    private final Clock clock;
    private final MetricRecorder metrics;

    /** Builds every collaborator on real AWS clients (once per container); metrics as EMF lines on standard output. */
    public static ControlService create(ControlConfig config) {
        // EMF's first (discarded) serialisation runs on a second thread while the AWS clients are built
        Supplier<EmfWriter> metrics = ColdStart.startLambdaInit("control-init", EmfWriter::primedForLogStream);
        return create(config, new AwsClients(config.aws()), Clock.systemUTC(), metrics);
    }

    /** As the Lambda's, with metrics as EMF lines on the log stream. */
    public static ControlService create(ControlConfig config, AwsClients clients, Clock clock) {
        return create(config, clients, clock, EmfWriter::toLogStream);
    }

    /** {@code metrics} is asked for after every client is built and before anything logs. */
    private static ControlService create(ControlConfig config, AwsClients clients, Clock clock,
                                         Supplier<? extends MetricRecorder> metrics) {
        CallStore calls = new CallStore(clients.dynamo(), config.callsTable());
        return new ControlService(config, calls, new CommandStore(calls.client(), config.callsTable()),
                new ControlQueues(clients.sqs(), config.controlQueuePrefix()), clock, AckWait.system(),
                config.callEventsQueueUrl().map(url -> new CallEventReplay(calls, new CallEventsQueue(clients.sqs(), url))),
                metrics.get());
    }

    public ControlService(ControlConfig config, CallStore calls, CommandStore commandStore, ControlQueues queues,
                          Clock clock, AckWait wait) {
        this(config, calls, commandStore, queues, clock, wait, Optional.empty());
    }

    /** As above; {@code replay} serves {@code POST /control/calls/{call_id}/events/replay} (empty: 503). */
    public ControlService(ControlConfig config, CallStore calls, CommandStore commandStore, ControlQueues queues,
                          Clock clock, AckWait wait, Optional<CallEventReplay> replay) {
        this(config, calls, commandStore, queues, clock, wait, replay, EmfWriter.toLogStream());
    }

    /** As above; {@code metrics} receives the command metrics. */
    public ControlService(ControlConfig config, CallStore calls, CommandStore commandStore, ControlQueues queues,
                          Clock clock, AckWait wait, Optional<CallEventReplay> replay, MetricRecorder metrics) {
        this.metrics = metrics;
        this.replay = replay;
        this.clock = clock;
        this.config = config;
        this.auth = new BearerAuth(config.controlApiToken(), config.authDisabled());
        this.cursors = new CursorCodec(config.cursorKey().reveal().getBytes(StandardCharsets.UTF_8));
        this.queries = new CallQueries(calls, cursors, clock, config.recentDays());
        this.commandRequests = new CommandRequests(config.transfer());
        this.commands = new CommandService(calls, commandStore, new CommandDispatch(calls.client(), calls.tableName()),
                queues, clock, config.ackTimeout(), wait, CommandService::newCommandId,
                config.openAiApiKey().map(key -> new CallsApiCommands(calls, commandStore, new CallsClient(
                        CallsTransport.urlConnection(Duration.ofSeconds(2)), new OpenAiEndpoints(config.openAiBaseUrl()), key.reveal(),
                        OWNERLESS_RETRY, clock), config.transfer(), clock)));
        this.conference = new ConferenceEvents(config.twilioAuthToken(), config.twilioStatusCallbackUrl(),
                config.humanLabel(), config.warmTransferAiLeaves(), calls, commands, clock);
        LaunchStore launches = new LaunchStore(calls.client(), calls.tableName());
        Optional<TwilioDialer> dialer = config.transfer().twilio().map(creds ->
                new TwilioDialer(config.transfer().twilioEndpoint(), creds.accountSid(), creds.authToken()));
        this.outbound = new OutboundService(config.outbound(), dialer, launches, calls, cursors, clock);
        this.outboundCallbacks = new OutboundCallbacks(config.twilioAuthToken(), config.outbound(), dialer, launches, clock);
        if (auth.disabled()) {
            LOG.warn("CONTROL_AUTH_DISABLED=true: /control routes accept requests without a token (local development only)",
                    Map.of());
        } else if (config.controlApiToken().isEmpty()) {
            LOG.warn("CONTROL_API_TOKEN is not set: every /control route answers 503 control_not_configured", Map.of());
        } else if (config.authDisabled()) {
            LOG.warn("CONTROL_AUTH_DISABLED is ignored because CONTROL_API_TOKEN is set", Map.of());
        }
        if (!conference.configured()) {
            LOG.info("Twilio callback not configured: POST /twilio/conference-events answers 503", Map.of());
        }
    }

    public ControlConfig config() {
        return config;
    }

    /** Handles an API Gateway HTTP API (payload v2) event. */
    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        return handle(event, null);
    }

    /** Handles an event; {@code remaining} (the Lambda's time left, or null) caps how long a command waits. */
    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, Duration remaining) {
        return handle(ApiRequest.fromEvent(event), remaining).toEvent();
    }

    /**
     * Handles a request and writes its log line. Never throws, and answers within {@code CONTROL_ACK_TIMEOUT_MS} + 1 s
     * (3 s at least; less when the Lambda has less time left) even when DynamoDB or SQS hang: the request runs on its own virtual
     * thread and is cut off (interrupted) at that deadline with 503 naming the service it was waiting on. The request
     * runs in its own {@link LogContext}: once it has read the call it is about, its lines carry the call's trace.
     */
    public ApiResponse handle(ApiRequest request, Duration remaining) {
        return LogContext.request().get(() -> handleInContext(request, remaining));
    }

    private ApiResponse handleInContext(ApiRequest request, Duration remaining) {
        long started = System.nanoTime();
        Map<String, Object> trace = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        trace.put("request_id", request.requestId());
        trace.put("method", request.method());
        trace.put("route", "unmatched");
        java.util.concurrent.atomic.AtomicReference<Thread> worker = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.Future<ApiResponse> running = REQUESTS.submit(LogContext.wrapCallable(() -> {
            worker.set(Thread.currentThread());
            return answer(request, remaining, trace);
        }));
        ApiResponse response;
        try {
            response = running.get(deadline(remaining).toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            String waitingOn = java.util.Optional.ofNullable(worker.get())
                    .flatMap(ai.phoneagent.aws.AwsRequestCounter.GLOBAL::inFlight).orElse("unknown");
            running.cancel(true);
            ApiError timeout = unavailable(waitingOn.startsWith("DynamoDb.") ? ErrorCode.STORE_UNAVAILABLE
                    : waitingOn.startsWith("Sqs.") ? ErrorCode.QUEUE_UNAVAILABLE : ErrorCode.SERVICE_UNAVAILABLE,
                    "did not answer in time");
            trace.put("code", timeout.code());
            trace.put("error", "deadline passed waiting on " + waitingOn);
            response = timeout.toResponse();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.cancel(true);
            trace.put("code", ErrorCode.SERVICE_UNAVAILABLE);
            response = new ApiError(503, ErrorCode.SERVICE_UNAVAILABLE, "Interrupted; try again").toResponse();
        } catch (java.util.concurrent.ExecutionException e) {
            trace.put("code", ErrorCode.INTERNAL_ERROR);
            trace.put("error", JsonLog.describe(e.getCause()));
            response = new ApiError(500, ErrorCode.INTERNAL_ERROR, "Internal error").toResponse();
        }
        Map<String, Object> line;
        synchronized (trace) {
            line = new LinkedHashMap<>(trace);
        }
        line.put("status", response.status());
        line.put("latency_ms", (System.nanoTime() - started) / 1_000_000);
        if (response.status() >= 500) {
            LOG.warn("request", line);
        } else {
            LOG.info("request", line);
        }
        return response;
    }

    /** Runs on virtual threads, one per request: the handler's own thread only waits, bounded. */
    private static final java.util.concurrent.ExecutorService REQUESTS =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    /** Left for writing the answer before the promised bound. */
    private static final Duration ANSWER_MARGIN = Duration.ofMillis(150);

    /**
     * Never cut a request off sooner than this: storing and sending a command takes a few round trips (and waits
     * out a transaction conflict when one Idempotency-Key is sent twice at once), even with a tiny ack timeout.
     */
    private static final Duration MIN_BOUND = Duration.ofSeconds(3);

    /**
     * When the answer is due: ack timeout + 1 s (at least {@link #MIN_BOUND}), or the Lambda's time left, less a
     * margin for answering.
     */
    private Duration deadline(Duration remaining) {
        Duration bound = config.ackTimeout().plusSeconds(1);
        bound = bound.compareTo(MIN_BOUND) < 0 ? MIN_BOUND : bound;
        if (remaining != null && remaining.compareTo(bound) < 0) {
            bound = remaining;
        }
        bound = bound.minus(ANSWER_MARGIN);
        return bound.isNegative() ? Duration.ZERO : bound;
    }

    private static ApiError unavailable(String code, String what) {
        String service = switch (code) {
            case ErrorCode.STORE_UNAVAILABLE -> "The call store (DynamoDB)";
            case ErrorCode.QUEUE_UNAVAILABLE -> "The queue service (SQS)";
            default -> "A backing service";
        };
        return new ApiError(503, code, service + " " + what + "; try again (a command request may be retried safely "
                + "with the same Idempotency-Key)");
    }

    private ApiResponse answer(ApiRequest request, Duration remaining, Map<String, Object> trace) {
        try {
            return route(request, remaining, trace);
        } catch (ApiError e) {
            trace.put("code", e.code());
            return e.toResponse();
        } catch (SdkException e) {
            var failed = ai.phoneagent.aws.AwsFailures.of(e);
            String service = failed.map(ai.phoneagent.aws.AwsFailures.Failure::service).orElse("");
            ApiError error = unavailable(service.equals("DynamoDb") ? ErrorCode.STORE_UNAVAILABLE
                    : service.equals("Sqs") ? ErrorCode.QUEUE_UNAVAILABLE : ErrorCode.SERVICE_UNAVAILABLE,
                    failed.map(ai.phoneagent.aws.AwsFailures.Failure::timedOut).orElse(false)
                            ? "did not answer in time" : "failed");
            trace.put("code", error.code());
            trace.put("error", JsonLog.describe(e));
            return error.toResponse();
        } catch (RuntimeException e) {
            trace.put("code", ErrorCode.INTERNAL_ERROR);
            trace.put("error", JsonLog.describe(e));
            return new ApiError(500, ErrorCode.INTERNAL_ERROR, "Internal error").toResponse();
        }
    }

    private ApiResponse route(ApiRequest request, Duration remaining, Map<String, Object> trace) {
        if (ControlRoutes.isControlPath(request.path())) {
            auth.check(request);
        }
        ControlRoutes.Match match = ControlRoutes.match(request.method(), request.path());
        trace.put("route", match.route().key());
        return switch (match.route()) {
            case LIST_CALLS -> ApiResponse.ok(200, queries.list(
                    CallQueries.Listing.parse(request.query("status").orElse(null)),
                    CallQueries.listLimit(request), cursor(request, "cursor"), RecentFilter.parse(request)));
            case GET_CALL -> {
                String callId = Ids.callId(match.param("call_id"));
                trace.put("call_id", callId);
                yield ApiResponse.ok(200, queries.detail(callId, CallQueries.detailRead(request,
                        DEFAULT_TURNS_LIMIT, DEFAULT_EVENTS_LIMIT)));
            }
            case TRANSFER_TARGETS -> ApiResponse.ok(200, TransferTargets.view(config.transfer()));
            case GET_COMMAND -> {
                String callId = Ids.callId(match.param("call_id"));
                trace.put("call_id", callId);
                String commandId = Ids.commandId(match.param("command_id"));
                trace.put("command_id", commandId);
                yield CommandViews.resource(commands.get(callId, commandId));
            }
            case REPLAY_EVENTS -> replayEvents(match, trace);
            case TRANSFER -> command(CommandType.TRANSFER, request, match, remaining, trace);
            case HANGUP -> command(CommandType.HANGUP, request, match, remaining, trace);
            case INSTRUCTIONS -> command(CommandType.INSTRUCTIONS, request, match, remaining, trace);
            case TWILIO_CONFERENCE_EVENTS -> conference.handle(request, trace);
            case TWILIO_OUTBOUND_STATUS -> outboundCallbacks.handle(request, trace);
            case OUTBOUND_LAUNCH, OUTBOUND_DASHBOARD_LAUNCH, OUTBOUND_LIST, OUTBOUND_GET, OUTBOUND_TEMPLATE_CREATE,
                 OUTBOUND_TEMPLATE_LIST, OUTBOUND_TEMPLATE_GET, OUTBOUND_TEMPLATE_UPDATE, OUTBOUND_TEMPLATE_DELETE ->
                    outbound.handle(match, request, trace);
        };
    }

    private ApiResponse replayEvents(ControlRoutes.Match match, Map<String, Object> trace) {
        String callId = Ids.callId(match.param("call_id"));
        trace.put("call_id", callId);
        CallEventReplay events = replay.orElseThrow(() -> new ApiError(503, ErrorCode.CALL_EVENTS_NOT_CONFIGURED,
                "Call events are not configured (CALL_EVENTS_QUEUE_URL is not set)"));
        List<CallEventMessage> sent = events.replay(callId, clock.millis())
                .orElseThrow(() -> new ApiError(404, ErrorCode.CALL_NOT_FOUND, "No call with this id"));
        trace.put("replayed", sent.size());
        ObjectNode body = Json.object().put("call_id", callId);
        var list = body.putArray("replayed");
        sent.forEach(m -> list.addObject().put("event_id", m.eventId()).put("type", m.type().wireName()));
        return ApiResponse.ok(202, body);
    }

    private ApiResponse command(CommandType type, ApiRequest request, ControlRoutes.Match match, Duration remaining,
                                Map<String, Object> trace) {
        String callId = Ids.callId(match.param("call_id"));
        trace.put("call_id", callId);
        String idempotencyKey = Ids.idempotencyKey(request);
        ObjectNode args = commandRequests.args(type, JsonBodies.object(request));
        long started = System.nanoTime();
        CommandService.Outcome outcome;
        try {
            outcome = commands.submit(callId, type, args, idempotencyKey, remaining);
        } catch (ApiError e) {
            recordCommand(type, e.code(), started, callId);
            throw e;
        }
        Command done = outcome.command();
        recordCommand(type, switch (done.status()) {
            case DONE -> "done";
            case PENDING -> "pending";
            case FAILED -> done.errorCode() == null ? "failed" : done.errorCode();
        }, started, callId);
        trace.put("command_id", outcome.command().commandId());
        trace.put("command_status", outcome.command().status().name());
        if (outcome.replayed()) {
            trace.put("replayed", true);
        }
        return CommandViews.outcome(outcome);
    }

    /** A command's count and latency by type and outcome ({@code done}, {@code pending} or its error code). */
    private void recordCommand(CommandType type, String outcome, long startedNanos, String callId) {
        double millis = (System.nanoTime() - startedNanos) / 1_000_000.0;
        String typeName = type.wireName();
        metrics.record(
                Measurement.one(Metric.COMMANDS).with(Dimension.COMMAND_TYPE, typeName).with(Dimension.OUTCOME, outcome)
                        .property("call_id", callId),
                Measurement.of(Metric.COMMAND_LATENCY, millis).with(Dimension.COMMAND_TYPE, typeName)
                        .with(Dimension.OUTCOME, outcome).property("call_id", callId));
    }

    private static String cursor(ApiRequest request, String name) {
        return request.query(name).filter(s -> !s.isBlank()).orElse(null);
    }

    /**
     * Runs the hot path once without network I/O (before a SnapStart snapshot): event parsing, auth hashing,
     * routing, body parsing and validation, cursor signing, views and error rendering. Writes no log lines. Every
     * request below ends in a validation error before any store is touched, whether or not auth is configured.
     */
    public void prime() {
        String bearer = "Bearer " + config.controlApiToken().map(Secret::reveal).orElse("prime-token-value");
        Map<String, String> headers = Map.of("authorization", bearer, "content-type", "application/json",
                "idempotency-key", "prime-key");
        List<ApiRequest> requests = List.of(
                ApiRequest.of("GET", "/control/calls/prime/unknown/path", "", headers, null, "prime"),
                ApiRequest.of("DELETE", "/control/calls", "", headers, null, "prime"),
                ApiRequest.of("GET", "/control/calls", "status=recent&limit=5&cursor=AAAA.BBBB", headers, null, "prime"),
                ApiRequest.of("GET", "/control/calls/rtc_prime", "turnsCursor=AAAA.BBBB", headers, null, "prime"),
                ApiRequest.of("GET", "/control/calls/rtc_prime", "turnsAfter=x", headers, null, "prime"),
                ApiRequest.of("GET", "/control/calls", "status=recent&number=x", headers, null, "prime"),
                ApiRequest.of("GET", "/control/transfer-targets", "", headers, null, "prime"),
                ApiRequest.of("POST", "/control/calls/bad$id/hangup", "", headers, new byte[0], "prime"),
                ApiRequest.of("GET", "/control/calls", "limit=0", Map.of("authorization", "Bearer wrong"), null, "prime"),
                ApiRequest.of("POST", "/twilio/conference-events", "callId=rtc_prime",
                        Map.of("x-twilio-signature", "AAAA", "content-type", "application/x-www-form-urlencoded"),
                        "StatusCallbackEvent=participant-join&ParticipantLabel=x".getBytes(StandardCharsets.UTF_8),
                        "prime"),
                ApiRequest.of("POST", "/control/outbound/launch", "", headers,
                        "{\"launch_id\":\"bad id\",\"to\":null}".getBytes(StandardCharsets.UTF_8), "prime"),
                ApiRequest.of("POST", "/twilio/outbound-status", "launchId=ol_prime",
                        Map.of("x-twilio-signature", "AAAA", "content-type", "application/x-www-form-urlencoded"),
                        "CallSid=CA1&CallStatus=ringing".getBytes(StandardCharsets.UTF_8), "prime"));
        for (ApiRequest request : requests) {
            try {
                route(request, Duration.ZERO, new LinkedHashMap<>()).toEvent();
            } catch (ApiError expected) {
                expected.toResponse().toEvent();
            }
        }
        ApiRequest.fromEvent(APIGatewayV2HTTPEvent.builder()
                .withRawPath("/control/calls").withRawQueryString("limit=1").withHeaders(headers)
                .withBody("e30=").withIsBase64Encoded(true)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").build())
                        .withStage("$default").build())
                .build()).body();
        for (String body : List.of("{\"reason\":\"prime\",\"text\":\"prime\",\"respond\":true,\"mode\":\"cold\"}", "")) {
            ObjectNode parsed = JsonBodies.object(ApiRequest.of("POST", "/", "", headers,
                    body.getBytes(StandardCharsets.UTF_8), "prime"));
            for (CommandType type : CommandType.values()) {
                try {
                    Command command = Command.pending("rtc_prime", "cmd_prime", type,
                            commandRequests.args(type, parsed), null, Instant.EPOCH);
                    command.message().toJson();
                    CommandViews.outcome(new CommandService.Outcome(command, false));
                    CommandViews.resource(command);
                } catch (ApiError expected) {
                    expected.toResponse();
                }
            }
        }
        String cursor = cursors.encode("prime", Json.object().put("a", 1));
        cursors.decode("prime", cursor);
        CallRecord call = new CallRecord("rtc_prime", CallStatus.ATTACHED, null, "+15550000000", "+15550000001",
                List.of(), null, null, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, null, null, null, "prime", null,
                null, 0, 1, CallRecord.INBOUND, null, null, null);
        ObjectNode view = Json.object();
        CallViews.writeCall(view, call);
        Json.write(view);
    }
}
