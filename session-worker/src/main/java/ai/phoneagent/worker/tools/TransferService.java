package ai.phoneagent.worker.tools;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.openai.CallsClient;
import ai.phoneagent.openai.CallsOutcome;
import ai.phoneagent.tools.TransferConfig;
import ai.phoneagent.tools.TransferMode;
import ai.phoneagent.tools.TransferTarget;
import ai.phoneagent.tools.TransferTool;
import ai.phoneagent.worker.call.SipAddress;
import ai.phoneagent.worker.events.LiveEvent;
import ai.phoneagent.worker.events.LiveEventSink;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.rest.api.v2010.account.conference.ParticipantCreator;
import com.twilio.type.Endpoint;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Sip;
import com.twilio.http.HttpMethod;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Transfers a caller to a configured human: warm (Twilio dials the human into the call's conference) or cold
 * (OpenAI sends SIP REFER). Targets come only from {@link TransferConfig}; a name that is not configured is
 * refused, so nothing a caller says can make the agent dial another number. Used by the {@code transfer_to_human}
 * tool and by the operator's transfer command. Thread-safe.
 */
public final class TransferService {
    private static final JsonLog LOG = JsonLog.forComponent("transfer");
    static final String NOT_AVAILABLE = "I'm sorry, I can't transfer calls right now.";
    static final String UNKNOWN_TARGET = TransferTool.UNKNOWN_TARGET;
    static final String NO_PERSON = "I couldn't reach a person right now.";

    private final TransferConfig config;
    private final CallsClient calls;
    private final TwilioClientFactory twilioFactory;
    private final Optional<URI> statusCallback;
    private final CallStore store;
    private final Clock clock;
    private final LiveEventSink events;
    private final Map<String, TwilioRestClient> twilioClients = new ConcurrentHashMap<>();

    public TransferService(TransferConfig config, CallsClient calls, TwilioClientFactory twilioFactory,
                           Optional<URI> statusCallback, CallStore store, Clock clock) {
        this(config, calls, twilioFactory, statusCallback, store, clock, LiveEventSink.none());
    }

    /** As above; each transfer that starts is published to {@code events} (as {@code call.transferred}). */
    public TransferService(TransferConfig config, CallsClient calls, TwilioClientFactory twilioFactory,
                           Optional<URI> statusCallback, CallStore store, Clock clock, LiveEventSink events) {
        this.events = events;
        this.config = config;
        this.calls = calls;
        this.twilioFactory = twilioFactory;
        this.statusCallback = statusCallback;
        this.store = store;
        this.clock = clock;
    }

    public TransferConfig config() {
        return config;
    }

    /** Transfers with the target's configured mode; {@code source} is recorded ({@code tool}, {@code operator}). */
    public TransferResult transfer(CallRecord call, String targetName, String reason) {
        return transfer(call, targetName, reason, Optional.empty(), "tool");
    }

    /** Transfers, optionally overriding the target's mode; records the attempt as call events. */
    public TransferResult transfer(CallRecord call, String targetName, String reason, Optional<TransferMode> mode,
                                   String source) {
        if (!config.enabled()) {
            return refuse(call, source, targetName, "transfer_disabled", NOT_AVAILABLE);
        }
        Optional<TransferTarget> resolved = config.resolve(targetName);
        if (resolved.isEmpty()) {
            return refuse(call, source, targetName, "unknown_target", UNKNOWN_TARGET);
        }
        TransferTarget target = resolved.get();
        TransferMode effective = mode.orElse(target.mode());
        TransferResult result = effective == TransferMode.WARM ? warm(call, target) : cold(call, target);
        ObjectNode details = Json.object().put("source", source).put("target", target.name())
                .put("mode", effective.name().toLowerCase(java.util.Locale.ROOT)).put("ok", result.ok());
        if (reason != null && !reason.isBlank()) {
            details.put("reason", truncate(reason, 500));
        }
        switch (result) {
            case TransferResult.Started s -> {
                if (s.reference() != null) {
                    details.put("reference", s.reference());
                }
            }
            case TransferResult.Failed f -> details.put("error", f.code());
            case TransferResult.Refused r -> details.put("error", r.code());
        }
        CallEvent recorded = record(call, "transfer", details);
        if (result.ok() && recorded != null) {
            events.publish(new LiveEvent.CallTransferred(call.callId(), recorded.id(), target.name(),
                    effective.name().toLowerCase(java.util.Locale.ROOT)));
        }
        LOG.info("transfer attempted", Map.of("call_id", call.callId(), "target", target.name(),
                "mode", effective.name(), "ok", result.ok(), "source", source));
        return result;
    }

    private TransferResult warm(CallRecord call, TransferTarget target) {
        if (call.conferenceName() == null || call.conferenceName().isBlank()) {
            return new TransferResult.Failed("no_conference", NO_PERSON);
        }
        if (config.twilio().isEmpty()) {
            return new TransferResult.Failed("twilio_not_configured", NO_PERSON);
        }
        // Twilio needs a valid caller id; the caller's own number keeps the human's phone showing who calls
        Optional<String> from = SipAddress.e164(call.from()).or(() -> SipAddress.e164(call.to()));
        if (from.isEmpty()) {
            return new TransferResult.Failed("no_caller_number", NO_PERSON);
        }
        var creds = config.twilio().get();
        String dial = target.dialString();
        Endpoint to = dial.regionMatches(true, 0, "sip", 0, 3) ? new Sip(dial) : new PhoneNumber(dial);
        try {
            TwilioRestClient client = twilioClients.computeIfAbsent(creds.accountSid(),
                    sid -> twilioFactory.create(sid, creds.authToken()));
            ParticipantCreator creator = Participant.creator(creds.accountSid(), call.conferenceName(),
                            new PhoneNumber(from.get()), to)
                    .setLabel(config.humanLabel())
                    .setEarlyMedia(true);
            if (call.callToken() != null && !call.callToken().isBlank()) {
                creator.setCallToken(call.callToken());
            }
            // the human's own call-progress callbacks are the reliable "the human answered" signal: conference-level
            // participant-join callbacks are only configured by whoever created the conference
            statusCallback.ifPresent(url -> creator.setStatusCallback(humanStatusCallback(url, call.callId()))
                    .setStatusCallbackMethod(HttpMethod.POST)
                    .setStatusCallbackEvent(List.of("initiated", "ringing", "answered", "completed")));
            Participant participant = creator.create(client);
            return new TransferResult.Started(target, TransferMode.WARM, participant.getCallSid());
        } catch (ApiException e) {
            LOG.warn("twilio refused participant", Map.of("call_id", call.callId(),
                    "status", e.getStatusCode() == null ? 0 : e.getStatusCode(),
                    "code", e.getCode() == null ? 0 : e.getCode()));
            return new TransferResult.Failed("twilio_error", NO_PERSON);
        } catch (TwilioException | IllegalArgumentException e) {
            LOG.warn("twilio unavailable", Map.of("call_id", call.callId(), "error", JsonLog.describe(e)));
            return new TransferResult.Failed("twilio_unavailable", NO_PERSON);
        }
    }

    private TransferResult cold(CallRecord call, TransferTarget target) {
        CallsOutcome outcome = calls.refer(call.callId(), target.uri());
        return switch (outcome) {
            case CallsOutcome.Done d -> new TransferResult.Started(target, TransferMode.COLD, null);
            case CallsOutcome.Gone g -> new TransferResult.Failed("call_gone", NO_PERSON);
            case CallsOutcome.Refused r -> new TransferResult.Failed("refer_refused", NO_PERSON);
            case CallsOutcome.Unavailable u -> new TransferResult.Failed("refer_unavailable", NO_PERSON);
        };
    }

    private TransferResult refuse(CallRecord call, String source, String requested, String code, String speakable) {
        ObjectNode details = Json.object().put("source", source).put("error", code);
        if (requested != null) {
            details.put("requested", truncate(requested, 100));
        }
        record(call, "transfer_refused", details);
        LOG.warn("transfer refused", Map.of("call_id", call.callId(), "why", code, "source", source));
        return new TransferResult.Refused(code, speakable);
    }

    private CallEvent record(CallRecord call, String kind, ObjectNode details) {
        try {
            return store.appendEvent(call.callId(), kind, details, clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("event not recorded", Map.of("call_id", call.callId(), "kind", kind, "error", JsonLog.describe(e)));
            return null;
        }
    }

    /**
     * The human participant's status callback: {@code <TWILIO_STATUS_CALLBACK_URL>?callId=<call_id>&leg=human}
     * ({@code &} instead of {@code ?} when the configured URL has a query already). Twilio signs this exact URL, so
     * the control Lambda can trust the call id and the leg.
     */
    public static URI humanStatusCallback(URI base, String callId) {
        String text = base.toString();
        int fragment = text.indexOf('#');
        if (fragment >= 0) {
            text = text.substring(0, fragment);
        }
        String separator = text.contains("?") ? (text.endsWith("?") || text.endsWith("&") ? "" : "&") : "?";
        return URI.create(text + separator + "callId=" + URLEncoder.encode(callId, StandardCharsets.UTF_8)
                + "&leg=human");
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
