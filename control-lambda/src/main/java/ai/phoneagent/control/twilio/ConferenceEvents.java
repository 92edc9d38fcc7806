package ai.phoneagent.control.twilio;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.command.CommandType;
import ai.phoneagent.control.Secret;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ApiRequest;
import ai.phoneagent.control.api.ApiResponse;
import ai.phoneagent.control.api.ErrorCode;
import ai.phoneagent.control.api.Ids;
import ai.phoneagent.control.commands.CommandService;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /twilio/conference-events}: Twilio's status callbacks for a warm transfer. Only correctly signed requests
 * do anything. The human joined the conference of a live call when either
 * <ul>
 *   <li>a conference {@code participant-join} arrives whose {@code ParticipantLabel} is {@code TWILIO_HUMAN_LABEL}
 *       (only when the conference's status callback was configured by whoever created it), or</li>
 *   <li>the human participant's own call-progress callback says it answered: the URL carries {@code leg=human} and
 *       the form {@code CallStatus=in-progress} or {@code StatusCallbackEvent=answered}. This is the reliable signal:
 *       the worker sets this callback on every participant it dials.</li>
 * </ul>
 * Then the warm transfer is complete: an event is recorded and, unless {@code WARM_TRANSFER_AI_LEAVES} is off, a
 * {@code hangup} command with reason {@code warm_transfer_complete} goes on the call's control queue so the worker drops
 * the AI leg. Repeated callbacks for the same participant {@code CallSid}, by either route, send that command once.
 *
 * <p>The worker puts the call id and the leg into the StatusCallback URL
 * ({@code …/twilio/conference-events?callId=rtc_…&leg=human}); they are covered by the signature, so they cannot be
 * forged either.
 */
public final class ConferenceEvents {
    public static final String HANGUP_REASON = "warm_transfer_complete";
    public static final String EVENT_KIND = "transfer_human_joined";
    /** The {@code leg} query value of the human participant's own status callback URL. */
    public static final String HUMAN_LEG = "human";
    private static final JsonLog LOG = JsonLog.forComponent("control-lambda");

    private final Optional<Secret> authToken;
    private final Optional<String> callbackBase;
    private final String humanLabel;
    private final boolean aiLeaves;
    private final CallStore calls;
    private final CommandService commands;
    private final Clock clock;

    public ConferenceEvents(Optional<Secret> authToken, Optional<URI> callbackUrl, String humanLabel, boolean aiLeaves,
                            CallStore calls, CommandService commands, Clock clock) {
        this.authToken = authToken;
        this.callbackBase = callbackUrl.map(ConferenceEvents::withoutQuery);
        this.humanLabel = humanLabel;
        this.aiLeaves = aiLeaves;
        this.calls = calls;
        this.commands = commands;
        this.clock = clock;
    }

    /** True when both the auth token and the public callback URL are configured. */
    public boolean configured() {
        return authToken.isPresent() && callbackBase.isPresent();
    }

    /** Handles one callback; {@code trace} receives the call id for the request log. */
    public ApiResponse handle(ApiRequest request, Map<String, Object> trace) {
        if (!configured()) {
            throw new ApiError(503, ErrorCode.TWILIO_NOT_CONFIGURED,
                    "TWILIO_AUTH_TOKEN and TWILIO_STATUS_CALLBACK_URL must be set");
        }
        FormBody form;
        try {
            form = FormBody.parse(new String(request.body(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw forbidden(); // Twilio never sends a malformed form; treat it like a forgery
        }
        String url = callbackBase.get() + (request.rawQuery().isEmpty() ? "" : "?" + request.rawQuery());
        String signature = request.header("x-twilio-signature").orElse(null);
        if (!TwilioSignature.isValid(authToken.get().reveal(), url, form.params(), signature)) {
            throw forbidden();
        }
        String callId = request.query("callId").orElse(null);
        if (!Ids.isValidId(callId)) {
            throw ApiError.invalidRequest("The callback URL must carry a valid callId query parameter");
        }
        trace.put("call_id", callId);
        String event = form.first("StatusCallbackEvent").orElse("");
        String label = form.first("ParticipantLabel").orElse(null);
        String callStatus = form.first("CallStatus").orElse("");
        trace.put("twilio_event", event);
        if (!callStatus.isEmpty()) {
            trace.put("twilio_call_status", callStatus);
        }
        if (event.equals("participant-join") && humanLabel.equals(label)) {
            humanJoined(callId, form, "participant-join", trace);
        } else if (isHumanLeg(request) && (callStatus.equals("in-progress") || event.equals("answered"))) {
            // the human participant's own call-progress callback: they answered, so they are in the conference
            humanJoined(callId, form, "human-answered", trace);
        }
        return ApiResponse.noContent();
    }

    /** The callback URL says it is the human's leg ({@code leg=human}, set by the worker and covered by the signature). */
    private static boolean isHumanLeg(ApiRequest request) {
        return request.query("leg").map(HUMAN_LEG::equals).orElse(false);
    }

    private void humanJoined(String callId, FormBody form, String signal, Map<String, Object> trace) {
        Optional<CallRecord> call = calls.get(callId);
        if (call.isEmpty() || call.get().status().isTerminal()) {
            LOG.info("human joined a call that is not live", Map.of("call_id", callId));
            return;
        }
        String conference = form.first("FriendlyName").orElse(null);
        String expected = call.get().conferenceName();
        if (expected != null && conference != null && !expected.equals(conference)) {
            LOG.warn("conference does not match the call", Map.of("call_id", callId));
            return;
        }
        String participant = form.first("CallSid").orElse(form.first("ConferenceSid").orElse("unknown"));
        ObjectNode details = Json.object();
        form.first("ConferenceSid").ifPresent(v -> details.put("conferenceSid", v));
        details.put("participantCallSid", participant);
        details.put("signal", signal);
        details.put("label", humanLabel);
        details.put("aiLeaves", aiLeaves);
        if (aiLeaves) {
            ObjectNode args = Json.object().put("reason", HANGUP_REASON);
            String key = "twilio:human-joined:" + truncate(participant, 100);
            CommandService.Outcome outcome;
            try {
                outcome = commands.sendWithoutWaiting(callId, CommandType.HANGUP, args, key);
            } catch (ApiError e) {
                details.put("commandError", e.code());
                calls.appendEvent(callId, EVENT_KIND, details, clock.instant());
                throw e;
            }
            trace.put("command_id", outcome.command().commandId());
            if (outcome.replayed()) {
                return; // a repeated callback: the event and the command exist already
            }
            details.put("commandId", outcome.command().commandId());
        }
        calls.appendEvent(callId, EVENT_KIND, details, clock.instant());
    }

    private static ApiError forbidden() {
        return new ApiError(403, ErrorCode.FORBIDDEN, "Missing or invalid Twilio signature");
    }

    private static String truncate(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }

    /** The configured URL without query or fragment; the query Twilio actually requested is appended per request. */
    public static String withoutQuery(URI uri) {
        String text = uri.toString();
        int cut = text.length();
        for (char c : new char[] {'?', '#'}) {
            int at = text.indexOf(c);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        return text.substring(0, cut);
    }
}
