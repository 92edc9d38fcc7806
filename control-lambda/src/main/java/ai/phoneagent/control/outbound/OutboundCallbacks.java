package ai.phoneagent.control.outbound;

import ai.phoneagent.control.Secret;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.control.api.ApiRequest;
import ai.phoneagent.control.api.ApiResponse;
import ai.phoneagent.control.api.ErrorCode;
import ai.phoneagent.control.api.Ids;
import ai.phoneagent.control.twilio.ConferenceEvents;
import ai.phoneagent.control.twilio.FormBody;
import ai.phoneagent.control.twilio.TwilioSignature;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.outbound.Launch;
import ai.phoneagent.outbound.LaunchStatus;
import ai.phoneagent.outbound.LaunchStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /twilio/outbound-status?launchId=…}: Twilio's call-progress callbacks of an outbound launch (and its
 * async answering-machine result). Only correctly signed requests ({@code X-Twilio-Signature} over the configured
 * callback URL plus the query Twilio requested) change anything; the launch id is in the signed URL. Each status moves
 * the launch forward (never back), with Twilio's codes in the timeline; a terminal status frees its concurrency slot.
 * A machine answering ends the launch as {@code voicemail}: the configured message is left after the beep, or the
 * call is hung up.
 */
public final class OutboundCallbacks {
    private static final JsonLog LOG = JsonLog.forComponent("control-lambda");

    private final Optional<Secret> authToken;
    private final Optional<String> callbackBase;
    private final OutboundSettings settings;
    private final Optional<TwilioDialer> dialer;
    private final LaunchStore launches;
    private final Clock clock;

    public OutboundCallbacks(Optional<Secret> authToken, OutboundSettings settings, Optional<TwilioDialer> dialer,
                             LaunchStore launches, Clock clock) {
        this.authToken = authToken;
        this.callbackBase = settings.statusCallbackUrl().map(ConferenceEvents::withoutQuery);
        this.settings = settings;
        this.dialer = dialer;
        this.launches = launches;
        this.clock = clock;
    }

    public ApiResponse handle(ApiRequest request, Map<String, Object> trace) {
        if (authToken.isEmpty() || callbackBase.isEmpty()) {
            throw new ApiError(503, ErrorCode.TWILIO_NOT_CONFIGURED,
                    "TWILIO_AUTH_TOKEN and the outbound status callback URL must be set");
        }
        FormBody form;
        try {
            form = FormBody.parse(new String(request.body(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw forbidden();
        }
        String url = callbackBase.get() + (request.rawQuery().isEmpty() ? "" : "?" + request.rawQuery());
        if (!TwilioSignature.isValid(authToken.get().reveal(), url, form.params(),
                request.header("x-twilio-signature").orElse(null))) {
            throw forbidden();
        }
        String launchId = request.query("launchId").orElse(null);
        if (!Ids.isValidId(launchId)) {
            throw ApiError.invalidRequest("The callback URL must carry a valid launchId query parameter");
        }
        trace.put("launch_id", launchId);
        Optional<Launch> launch = launches.get(launchId);
        String callSid = form.first("CallSid").orElse(null);
        if (launch.isEmpty() || (launch.get().twilioCallSid() != null && callSid != null
                && !launch.get().twilioCallSid().equals(callSid))) {
            LOG.warn("outbound status for an unknown launch or another call", Map.of("launch_id", launchId));
            return ApiResponse.noContent();
        }
        String answeredBy = form.first("AnsweredBy").orElse("");
        String callStatus = form.first("CallStatus").orElse("");
        trace.put("twilio_call_status", callStatus);
        if (!answeredBy.isEmpty()) {
            trace.put("answered_by", answeredBy);
            if (answeredBy.startsWith("machine") || answeredBy.equals("fax")) {
                machineAnswered(launch.get(), callSid, answeredBy);
            }
            return ApiResponse.noContent();
        }
        statusFor(callStatus).ifPresent(status -> {
            String code = form.first("ErrorCode").or(() -> form.first("SipResponseCode")).orElse(null);
            launches.advance(launchId, status, code, callStatus, clock.instant())
                    .filter(updated -> updated.status().isTerminal())
                    .ifPresent(this::releaseSlot);
        });
        return ApiResponse.noContent();
    }

    private void machineAnswered(Launch launch, String callSid, String answeredBy) {
        Optional<Launch> voicemail = launches.advance(launch.launchId(), LaunchStatus.VOICEMAIL, answeredBy,
                settings.voicemailMessage().isPresent() ? "message left" : "hung up", clock.instant());
        if (voicemail.isEmpty()) {
            return; // already ended, or a repeated callback
        }
        releaseSlot(voicemail.get());
        String sid = callSid != null ? callSid : launch.twilioCallSid();
        if (sid != null && dialer.isPresent() && !dialer.get().answerMachine(sid, settings.voicemailMessage().orElse(null))) {
            LOG.warn("could not leave voicemail or hang up", Map.of("launch_id", launch.launchId()));
        }
    }

    private void releaseSlot(Launch launch) {
        if (launch.slot() != null) {
            launches.releaseSlot(launch.slot(), launch.launchId());
        }
    }

    /** Twilio's {@code CallStatus} as a launch status. */
    static Optional<LaunchStatus> statusFor(String callStatus) {
        return Optional.ofNullable(switch (callStatus) {
            case "queued", "initiated" -> LaunchStatus.QUEUED;
            case "ringing" -> LaunchStatus.RINGING;
            case "in-progress", "answered" -> LaunchStatus.ANSWERED;
            case "completed" -> LaunchStatus.COMPLETED;
            case "busy" -> LaunchStatus.BUSY;
            case "no-answer" -> LaunchStatus.NO_ANSWER;
            case "failed", "canceled" -> LaunchStatus.FAILED;
            default -> null;
        });
    }

    private static ApiError forbidden() {
        return new ApiError(403, ErrorCode.FORBIDDEN, "Missing or invalid Twilio signature");
    }
}
