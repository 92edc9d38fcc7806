package ai.phoneagent.call;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What a {@code realtime.call.incoming} webhook tells us about a new call. */
public record IncomingCall(String callId, String webhookId, List<SipHeader> sipHeaders) {
    public IncomingCall {
        sipHeaders = List.copyOf(sipHeaders);
    }

    /** The first header with this name, compared case-insensitively. */
    public Optional<String> header(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return sipHeaders.stream()
                .filter(h -> h.name() != null && h.name().toLowerCase(Locale.ROOT).equals(wanted))
                .map(SipHeader::value)
                .findFirst();
    }

    public Optional<String> from() {
        return header("From");
    }

    public Optional<String> to() {
        return header("To");
    }

    public Optional<String> conferenceName() {
        return header("X-conferenceName");
    }

    /** Twilio's call token, when the carrier forwarded one. */
    public Optional<String> callToken() {
        return header("X-callToken").or(() -> header("X-Twilio-CallToken"));
    }
}
