package ai.phoneagent.control.outbound;

import ai.phoneagent.twilio.TwilioApi;
import ai.phoneagent.twilio.TwilioEndpoint;
import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import com.twilio.http.HttpMethod;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Hangup;
import com.twilio.twiml.voice.Say;
import com.twilio.twiml.voice.Sip;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Places outbound calls with twilio-java's {@code Call.creator(to, from, twiml)}: the TwiML bridges the answered callee
 * to OpenAI's SIP connector with the launch id and key as {@code X-} headers, status callbacks go to our signed route,
 * and answering-machine detection (async) is asked for when configured. Single attempt: a failed create is never
 * repeated by the client (it could dial the person twice).
 */
public final class TwilioDialer {
    static final List<String> STATUS_EVENTS = List.of("initiated", "ringing", "answered", "completed");

    private final TwilioRestClient client;

    public TwilioDialer(TwilioEndpoint endpoint, String accountSid, String authToken) {
        this.client = TwilioApi.client(endpoint, accountSid, authToken);
    }

    /** What to dial and how. */
    public record DialRequest(String to, String from, String sipUri, String launchId, String launchKey, URI statusCallback,
                       int ringTimeoutSeconds, boolean machineDetection) {
    }

    public DialOutcome dial(DialRequest dial) {
        try {
            var creator = Call.creator(new PhoneNumber(dial.to()), new PhoneNumber(dial.from()), new Twiml(twiml(dial)))
                    .setStatusCallback(dial.statusCallback())
                    .setStatusCallbackMethod(HttpMethod.POST)
                    .setStatusCallbackEvent(STATUS_EVENTS)
                    .setTimeout(dial.ringTimeoutSeconds());
            if (dial.machineDetection()) {
                creator.setMachineDetection("DetectMessageEnd")
                        .setAsyncAmd("true")
                        .setAsyncAmdStatusCallback(dial.statusCallback())
                        .setAsyncAmdStatusCallbackMethod(HttpMethod.POST);
            }
            return new DialOutcome.Dialled(creator.create(client).getSid());
        } catch (ApiException e) {
            int status = e.getStatusCode() == null ? 502 : e.getStatusCode();
            int code = e.getCode() == null ? 0 : e.getCode();
            if (status >= 500 || status == 429) {
                return new DialOutcome.Unreachable("Twilio answered " + status + " (code " + code + ")");
            }
            return new DialOutcome.Refused(status, code, e.getMessage() == null ? "refused" : e.getMessage());
        } catch (TwilioException e) {
            return new DialOutcome.Unreachable(e.getClass().getSimpleName());
        }
    }

    /**
     * A machine answered: leave {@code message} (after the beep) and hang up, or just hang up when there is none.
     * Best effort: false when Twilio did not take it.
     */
    public boolean answerMachine(String callSid, String message) {
        try {
            var updater = Call.updater(callSid);
            if (message == null) {
                updater.setStatus(Call.UpdateStatus.COMPLETED);
            } else {
                updater.setTwiml(new Twiml(new VoiceResponse.Builder().say(new Say.Builder(message).build())
                        .hangup(new Hangup.Builder().build()).build().toXml()));
            }
            updater.update(client);
            return true;
        } catch (TwilioException e) {
            return false;
        }
    }

    /** {@code <Response><Dial><Sip>sip:…?X-Launch-Id=…&X-Launch-Key=…</Sip></Dial></Response>}. */
    static String twiml(DialRequest dial) {
        String uri = dial.sipUri() + "?X-Launch-Id=" + encode(dial.launchId()) + "&X-Launch-Key=" + encode(dial.launchKey());
        try {
            return new VoiceResponse.Builder()
                    .dial(new com.twilio.twiml.voice.Dial.Builder().answerOnBridge(true)
                            .sip(new Sip.Builder(URI.create(uri)).build()).build())
                    .build().toXml();
        } catch (TwilioException e) {
            throw new IllegalStateException("TwiML could not be rendered", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
