package ai.phoneagent.control.outbound;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.Page;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ApiRequest;
import ai.phoneagent.control.api.ApiResponse;
import ai.phoneagent.control.api.ControlRoutes;
import ai.phoneagent.control.api.ErrorCode;
import ai.phoneagent.control.api.Ids;
import ai.phoneagent.control.api.JsonBodies;
import ai.phoneagent.control.calls.CallQueries;
import ai.phoneagent.control.calls.CursorCodec;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.outbound.Launch;
import ai.phoneagent.outbound.LaunchKeys;
import ai.phoneagent.outbound.LaunchStatus;
import ai.phoneagent.outbound.LaunchStore;
import ai.phoneagent.outbound.LaunchTemplate;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outbound routes under {@code /control/outbound}: launch a call (both body shapes), read launches, and manage
 * templates. A launch is created once per launch id before anything is dialled, so a retry (same {@code launch_id}
 * or {@code Idempotency-Key}) replays the first answer and never dials again; a guardrail refusal dials nobody and
 * leaves no launch behind.
 */
public final class OutboundService {
    private static final JsonLog LOG = JsonLog.forComponent("control-lambda");
    /** How long after the dial an answered call may still claim its launch at the webhook. */
    static final Duration MATCH_MARGIN = Duration.ofMinutes(5);

    private final OutboundSettings settings;
    private final Optional<TwilioDialer> dialer;
    private final LaunchStore launches;
    private final CallStore calls;
    private final Guardrails guardrails;
    private final CursorCodec cursors;
    private final Clock clock;

    public OutboundService(OutboundSettings settings, Optional<TwilioDialer> dialer, LaunchStore launches,
                           CallStore calls, CursorCodec cursors, Clock clock) {
        this.settings = settings;
        this.dialer = dialer;
        this.launches = launches;
        this.calls = calls;
        this.guardrails = new Guardrails(settings, launches);
        this.cursors = cursors;
        this.clock = clock;
    }

    /** Serves one matched outbound route; {@code trace} gets the launch or template id for the request log. */
    public ApiResponse handle(ControlRoutes.Match match, ApiRequest request, Map<String, Object> trace) {
        return switch (match.route()) {
            case OUTBOUND_LAUNCH -> launch(LaunchRequest.ours(JsonBodies.object(request), Ids.idempotencyKey(request)),
                    trace);
            case OUTBOUND_DASHBOARD_LAUNCH -> launch(LaunchRequest.dashboard(JsonBodies.object(request),
                    Ids.idempotencyKey(request)), trace);
            case OUTBOUND_LIST -> list(request);
            case OUTBOUND_GET -> {
                String launchId = launchId(match.param("launch_id"));
                trace.put("launch_id", launchId);
                yield detail(launchId);
            }
            case OUTBOUND_TEMPLATE_CREATE -> {
                ObjectNode body = JsonBodies.object(request);
                String templateId = Optional.ofNullable(JsonBodies.optionalText(body, "template_id", 64))
                        .orElseGet(() -> "tpl_" + LaunchKeys.newLaunchId().substring(3, 19));
                trace.put("template_id", templateId);
                yield saveTemplate(templateId(templateId), body, false);
            }
            case OUTBOUND_TEMPLATE_LIST -> templates(request);
            case OUTBOUND_TEMPLATE_GET -> ApiResponse.ok(200, Json.object().set("template", LaunchViews.template(
                    launches.template(templateId(match.param("template_id"))).orElseThrow(OutboundService::noTemplate))));
            case OUTBOUND_TEMPLATE_UPDATE -> saveTemplate(templateId(match.param("template_id")),
                    JsonBodies.object(request), true);
            case OUTBOUND_TEMPLATE_DELETE -> {
                if (!launches.deleteTemplate(templateId(match.param("template_id")))) {
                    throw noTemplate();
                }
                yield ApiResponse.ok(200, Json.object().put("deleted", true));
            }
            default -> throw new IllegalArgumentException("not an outbound route: " + match.route());
        };
    }

    // ---------------------------------------------------------------- launching

    private ApiResponse launch(LaunchRequest request, Map<String, Object> trace) {
        trace.put("launch_id", request.launchId());
        if (dialer.isEmpty()) {
            throw new ApiError(503, ErrorCode.TWILIO_NOT_CONFIGURED,
                    "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set to place calls");
        }
        if (!settings.configured()) {
            throw new ApiError(503, OutboundCodes.OUTBOUND_NOT_CONFIGURED,
                    "TWILIO_OUTBOUND_FROM, OPENAI_SIP_URI and the outbound status callback URL must be set");
        }
        Optional<Launch> existing = launches.get(request.launchId());
        if (existing.isPresent()) {
            return replay(existing.get(), request, trace);
        }
        Instant now = clock.instant();
        guardrails.checkDestination(request.to(), now);
        LaunchTemplate template = request.templateId() == null ? null
                : launches.template(request.templateId()).orElseThrow(OutboundService::noTemplate);
        String key = LaunchKeys.newKey();
        Launch launch = new Launch(request.launchId(), LaunchStatus.REQUESTED, request.to(), settings.from().orElseThrow(),
                request.templateId(), request.calleeName(), request.objective(),
                first(request.instructions(), template == null ? null : template.instructions()),
                request.opening() != null ? request.opening() : template == null ? null : template.opening(),
                first(request.voice(), template == null ? null : template.voice()),
                first(request.model(), template == null ? null : template.model()),
                request.metadata(), request.idempotencyKey(), null, null, LaunchKeys.hash(key),
                now.plus(settings.ringTimeout()).plus(MATCH_MARGIN), now, now, null, null, null, List.of());
        if (!launches.create(launch)) {
            return replay(launches.get(request.launchId()).orElseThrow(), request, trace); // a concurrent retry won
        }
        int slot;
        try {
            slot = guardrails.take(launch.launchId(), launch.to(), now);
            launches.holdsSlot(launch.launchId(), slot);
        } catch (RuntimeException refusedOrFailed) {
            // nothing was dialled: forget the launch so a retry starts afresh (its guards accept the same launch id)
            launches.delete(launch.launchId());
            throw refusedOrFailed;
        }
        DialOutcome outcome = dialer.get().dial(new TwilioDialer.DialRequest(launch.to(), launch.from(),
                settings.sipUri().orElseThrow(), launch.launchId(), key, callbackUrl(launch.launchId()),
                (int) settings.ringTimeout().toSeconds(), settings.machineDetection()));
        return switch (outcome) {
            case DialOutcome.Dialled dialled -> {
                trace.put("twilio_call_sid", dialled.callSid());
                Launch queued = launches.dialled(launch.launchId(), dialled.callSid(), clock.instant()).orElse(launch);
                LOG.info("outbound call placed", Map.of("launch_id", launch.launchId(), "twilio_call_sid", dialled.callSid()));
                yield launched(queued, dialled.callSid(), false);
            }
            case DialOutcome.Refused refused -> {
                // nobody was dialled: free the slot and the number, and keep the refusal as the launch's outcome
                launches.fail(launch.launchId(), "twilio_" + refused.twilioCode(), refused.message(), clock.instant());
                launches.releaseSlot(slot, launch.launchId());
                guardrails.releaseDestination(launch.launchId(), launch.to());
                throw new ApiError(502, OutboundCodes.TWILIO_REJECTED, "Twilio refused the call (code "
                        + refused.twilioCode() + "): " + refused.message())
                        .with("launch_id", launch.launchId()).with("twilio_code", Integer.toString(refused.twilioCode()));
            }
            case DialOutcome.Unreachable unreachable -> {
                // Twilio may have created the call: keep the number's marker, never dial again for this launch; the
                // slot is freed all the same, or a Twilio outage would hold every slot for the longest call
                launches.fail(launch.launchId(), OutboundCodes.TWILIO_UNAVAILABLE, unreachable.reason(), clock.instant());
                launches.releaseSlot(slot, launch.launchId());
                throw new ApiError(502, OutboundCodes.TWILIO_UNAVAILABLE,
                        "Twilio did not answer the call creation; the launch is not retried")
                        .with("launch_id", launch.launchId());
            }
        };
    }

    private ApiResponse replay(Launch launch, LaunchRequest request, Map<String, Object> trace) {
        if (!launch.to().equals(request.to())) {
            throw new ApiError(409, ErrorCode.IDEMPOTENCY_KEY_REUSED, "This launch id was used for another destination");
        }
        trace.put("replayed", true);
        if (launch.status() == LaunchStatus.FAILED && launch.twilioCallSid() == null) {
            // it failed when it was placed: the retry gets that same answer, and nothing is dialled
            boolean unavailable = OutboundCodes.TWILIO_UNAVAILABLE.equals(launch.errorCode());
            ApiError failed = new ApiError(502, unavailable ? OutboundCodes.TWILIO_UNAVAILABLE : OutboundCodes.TWILIO_REJECTED,
                    "The launch failed when it was placed: " + launch.errorMessage())
                    .with("launch_id", launch.launchId()).header("Idempotent-Replayed", "true");
            if (!unavailable && launch.errorCode() != null && launch.errorCode().startsWith("twilio_")) {
                failed.with("twilio_code", launch.errorCode().substring("twilio_".length()));
            }
            throw failed;
        }
        return launched(launch, launch.twilioCallSid(), true);
    }

    private static ApiResponse launched(Launch launch, String callSid, boolean replayed) {
        ObjectNode body = Json.object();
        body.put("launch_id", launch.launchId());
        body.put("twilio_call_sid", callSid);
        body.put("status", launch.status().wireName());
        body.set("launch", LaunchViews.launch(launch));
        ApiResponse response = ApiResponse.ok(200, body);
        return replayed ? response.withHeader("Idempotent-Replayed", "true") : response;
    }

    private java.net.URI callbackUrl(String launchId) {
        String base = ai.phoneagent.control.twilio.ConferenceEvents.withoutQuery(settings.statusCallbackUrl().orElseThrow());
        return java.net.URI.create(base + "?launchId=" + launchId);
    }

    // ---------------------------------------------------------------- reads

    private ApiResponse list(ApiRequest request) {
        return page("launches", launches.list(startKey("launches", request), CallQueries.listLimit(request)),
                LaunchViews::launch);
    }

    /** One page of a listing: {@code {"<kind>": [...], "nextCursor": …}}, the cursor bound to {@code kind}. */
    private <T> ApiResponse page(String kind, Page<T> page, java.util.function.Function<T, ObjectNode> view) {
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray(kind);
        page.items().forEach(item -> items.add(view.apply(item)));
        body.put("nextCursor", page.nextKey().map(k -> cursors.encode(kind, keyNode(k))).orElse(null));
        return ApiResponse.ok(200, body);
    }

    private ApiResponse detail(String launchId) {
        Launch launch = launches.get(launchId).orElseThrow(() ->
                new ApiError(404, OutboundCodes.LAUNCH_NOT_FOUND, "No such launch"));
        ObjectNode body = Json.object();
        body.set("launch", LaunchViews.launch(launch));
        if (launch.callId() != null) {
            calls.get(launch.callId()).ifPresentOrElse(call -> body.set("call", LaunchViews.call(call)),
                    () -> body.putNull("call"));
        } else {
            body.putNull("call");
        }
        return ApiResponse.ok(200, body);
    }

    // ---------------------------------------------------------------- templates

    private ApiResponse templates(ApiRequest request) {
        return page("templates", launches.templates(startKey("templates", request), CallQueries.listLimit(request)),
                LaunchViews::template);
    }

    private ApiResponse saveTemplate(String templateId, ObjectNode body, boolean update) {
        String name = JsonBodies.optionalText(body, "name", 200);
        String voice = JsonBodies.optionalText(body, "voice", 40);
        String model = JsonBodies.optionalText(body, "model", 80);
        LaunchRequest.validateVoiceAndModel(voice, model);
        Instant now = clock.instant();
        Optional<LaunchTemplate> before = launches.template(templateId);
        if (update && before.isEmpty()) {
            throw noTemplate();
        }
        if (!update && before.isPresent()) {
            throw new ApiError(409, OutboundCodes.TEMPLATE_EXISTS, "A template with this id exists; use PUT to change it");
        }
        LaunchTemplate template = new LaunchTemplate(templateId, name == null ? templateId : name,
                JsonBodies.optionalText(body, "instructions", LaunchRequest.MAX_INSTRUCTIONS),
                JsonBodies.optionalText(body, "opening", LaunchRequest.MAX_OPENING), voice, model,
                before.map(LaunchTemplate::createdAt).orElse(now), now);
        if (!launches.putTemplate(template, update)) {
            throw noTemplate();
        }
        return ApiResponse.ok(update ? 200 : 201, Json.object().set("template", LaunchViews.template(template)));
    }

    // ---------------------------------------------------------------- helpers

    private Map<String, String> startKey(String kind, ApiRequest request) {
        String cursor = request.query("cursor").filter(s -> !s.isBlank()).orElse(null);
        if (cursor == null) {
            return null;
        }
        ObjectNode decoded = cursors.decode(kind, cursor);
        Map<String, String> key = new HashMap<>();
        for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = decoded.properties().iterator();
             it.hasNext(); ) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
            key.put(e.getKey(), e.getValue().asText());
        }
        return key;
    }

    private static ObjectNode keyNode(Map<String, String> key) {
        ObjectNode node = Json.object();
        key.forEach(node::put);
        return node;
    }

    private static String launchId(String raw) {
        if (!Ids.isValidId(raw)) {
            throw new ApiError(400, OutboundCodes.INVALID_LAUNCH_ID, "Launch id must be 1-64 letters, digits, - or _");
        }
        return raw;
    }

    private static String templateId(String raw) {
        if (!Ids.isValidId(raw)) {
            throw ApiError.invalidRequest("Template id must be 1-64 letters, digits, - or _");
        }
        return raw;
    }

    private static ApiError noTemplate() {
        return new ApiError(404, OutboundCodes.TEMPLATE_NOT_FOUND, "No such template");
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }
}
