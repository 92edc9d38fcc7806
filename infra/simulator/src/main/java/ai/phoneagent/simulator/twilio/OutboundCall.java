package ai.phoneagent.simulator.twilio;

import ai.phoneagent.call.SipHeader;
import java.util.List;

/**
 * An outbound call the fake Twilio placed, as it stands: the create request's parameters, the SIP headers its TwiML
 * carried to the connector, the OpenAI call it became (when answered), the status callbacks delivered and the
 * updates received (e.g. the voicemail TwiML). {@code status} is Twilio's call status; {@code finished} once the
 * final callback went out.
 */
public record OutboundCall(String sid, String to, String from, String twiml, String statusCallback,
                           String machineDetection, List<SipHeader> sipHeaders, String openAiCallId, String status,
                           List<Callback> callbacks, List<String> updates, boolean finished) {
    public OutboundCall {
        sipHeaders = List.copyOf(sipHeaders);
        callbacks = List.copyOf(callbacks);
        updates = List.copyOf(updates);
    }

    /** One status callback the fake posted: what it said and what the project answered (-1: no answer). */
    public record Callback(String url, String callStatus, String answeredBy, int httpStatus) {
    }

    /** The value of a SIP header the TwiML carried, or null. */
    public String sipHeader(String name) {
        return sipHeaders.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(SipHeader::value).findFirst()
                .orElse(null);
    }
}
