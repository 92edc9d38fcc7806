package ai.phoneagent.webhook;

import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.logging.TraceParent;
import ai.phoneagent.metrics.Dimension;
import ai.phoneagent.metrics.Measurement;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.metrics.MetricRecorder;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** Handles {@code POST /openai/webhook}: route, size limit, signature, parse, then intake. */
public final class WebhookService {
    public static final String PATH = "/openai/webhook";
    /** Every route this service answers, as {@code "METHOD /path"}; the deployment checks hold the template to it. */
    public static final java.util.List<String> ROUTES = java.util.List.of("POST " + PATH);
    private static final JsonLog LOG = JsonLog.forComponent("webhook");

    private final WebhookVerifier verifier;
    private final CallIntake intake;
    private final int maxBodyBytes;
    private final Clock clock;
    private final MetricRecorder metrics;

    public WebhookService(WebhookVerifier verifier, CallIntake intake, int maxBodyBytes, Clock clock) {
        this(verifier, intake, maxBodyBytes, clock, MetricRecorder.none());
    }

    public WebhookService(WebhookVerifier verifier, CallIntake intake, int maxBodyBytes, Clock clock,
                          MetricRecorder metrics) {
        this.metrics = metrics;
        this.verifier = verifier;
        this.intake = intake;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
    }

    /**
     * Answers one delivery and writes one log line about it. The delivery runs in its own {@link LogContext}, which
     * learns the call and its trace once the body is verified, so every line about the call carries both.
     */
    public WebhookResponse handle(WebhookRequest request) {
        return LogContext.request().get(() -> handleInContext(request));
    }

    private WebhookResponse handleInContext(WebhookRequest request) {
        long started = System.nanoTime();
        Map<String, Object> log = new LinkedHashMap<>();
        WebhookResponse response = route(request, log);
        log.put("status", response.status());
        log.put("latency_ms", (System.nanoTime() - started) / 1_000_000);
        if (response.status() >= 500) {
            LOG.error("webhook handled", log);
        } else if (response.status() >= 400) {
            LOG.warn("webhook rejected", log);
        } else {
            LOG.info("webhook handled", log);
        }
        recordDelivery(response.status(), String.valueOf(log.get("outcome")), log.get("call_id"));
        return response;
    }

    /** Every delivery counts as received; a 4xx as rejected by its code; a duplicate and an internal error as such. */
    private void recordDelivery(int status, String outcome, Object callId) {
        Measurement received = Measurement.one(Metric.WEBHOOKS_RECEIVED);
        Measurement verdict = null;
        if (status >= 400 && status < 500) {
            verdict = Measurement.one(Metric.WEBHOOKS_REJECTED).with(Dimension.REASON, outcome);
        } else if (IntakeOutcome.DUPLICATE.wireName().equals(outcome)) {
            verdict = Measurement.one(Metric.WEBHOOK_DUPLICATES);
        } else if ("internal_error".equals(outcome)) {
            verdict = Measurement.one(Metric.ACCEPT_FAILURES).with(Dimension.REASON, outcome);
        }
        if (callId != null) {
            received = received.property("call_id", callId);
            verdict = verdict == null ? null : verdict.property("call_id", callId);
        }
        if (verdict == null) {
            metrics.record(received);
        } else {
            metrics.record(received, verdict);
        }
    }

    private WebhookResponse route(WebhookRequest request, Map<String, Object> log) {
        if (!PATH.equals(request.path())) {
            log.put("outcome", "not_found");
            return WebhookResponse.error(404, "not_found", "no such route");
        }
        if (!"POST".equalsIgnoreCase(request.method())) {
            log.put("outcome", "method_not_allowed");
            return WebhookResponse.error(405, "method_not_allowed", "use POST");
        }
        byte[] body = request.body() == null ? new byte[0] : request.body();
        if (body.length > maxBodyBytes) {
            log.put("outcome", "payload_too_large");
            return WebhookResponse.error(413, "payload_too_large", "body exceeds " + maxBodyBytes + " bytes");
        }
        Verification verification = verifier.verify(request.headers(), body);
        if (verification instanceof Verification.Invalid(String reason)) {
            log.put("outcome", "invalid_signature");
            log.put("reason", reason);
            return WebhookResponse.error(401, "invalid_signature", reason);
        }
        String webhookId = ((Verification.Valid) verification).webhookId();
        log.put("webhook_id", webhookId);
        return switch (IncomingEvent.parse(body, webhookId)) {
            case IncomingEvent.Malformed(String reason) -> {
                log.put("outcome", "invalid_request");
                log.put("reason", reason);
                yield WebhookResponse.error(400, "invalid_request", reason);
            }
            case IncomingEvent.Other(String type) -> {
                log.put("outcome", "ignored");
                log.put("event_type", type.length() > 80 ? type.substring(0, 80) : type);
                yield WebhookResponse.ok("ignored");
            }
            case IncomingEvent.CallIncoming(var call) -> {
                log.put("call_id", call.callId());
                // the caller's trace when OpenAI sent a valid traceparent, else a new one (intake may adopt the stored one)
                LogContext.identify(call.callId(), TraceParent.traceId(request.headers()).orElseGet(TraceParent::newTraceId));
                yield intake(call, log);
            }
        };
    }

    private WebhookResponse intake(ai.phoneagent.call.IncomingCall call, Map<String, Object> log) {
        IntakeOutcome outcome;
        try {
            outcome = intake.intake(call);
        } catch (RuntimeException e) {
            // DynamoDB or another dependency failed: a retry by OpenAI may well succeed.
            log.put("outcome", "internal_error");
            log.put("error", JsonLog.describe(e));
            return WebhookResponse.error(500, "internal_error", "temporary failure; retry");
        }
        log.put("outcome", outcome.wireName());
        return outcome.retryable()
                ? WebhookResponse.error(500, outcome.wireName(), "temporary failure; retry")
                : WebhookResponse.ok(outcome.wireName());
    }

    /**
     * Exercises parsing and verification on a throwaway request so classes are loaded before a SnapStart snapshot.
     * A request with a wrong path touches no AWS service and no network.
     */
    public void prime() {
        byte[] sample = "{\"type\":\"realtime.call.incoming\",\"data\":{\"call_id\":\"rtc_prime\",\"sip_headers\":[]}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        for (int i = 0; i < 50; i++) {
            verifier.verify(Map.of("webhook-id", "msg_prime", "webhook-timestamp", timestamp,
                    "webhook-signature", "v1,AAAA"), sample);
            IncomingEvent.parse(sample, "msg_prime");
            route(new WebhookRequest("GET", "/prime", Map.of(), sample), new LinkedHashMap<>());
        }
    }
}
