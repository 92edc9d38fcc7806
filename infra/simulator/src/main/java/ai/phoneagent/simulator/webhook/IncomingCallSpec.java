package ai.phoneagent.simulator.webhook;

import ai.phoneagent.call.SipHeader;
import ai.phoneagent.simulator.OpenAiIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * What a {@code realtime.call.incoming} event says about the call: its id and SIP headers.
 * {@code conferenceName} null leaves out {@code X-conferenceName}; {@code extraHeaders} are appended as given.
 */
public record IncomingCallSpec(String callId, String from, String to, String sipCallId, String conferenceName,
                               String sipDomain, List<SipHeader> extraHeaders) {
    public IncomingCallSpec {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(sipCallId, "sipCallId");
        Objects.requireNonNull(sipDomain, "sipDomain");
        extraHeaders = List.copyOf(extraHeaders);
    }

    /** A fresh call from +14155550100 to +18005550199 in a fresh conference. */
    public static IncomingCallSpec random() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The {@code sip_headers} OpenAI forwards: From, To, Call-ID, X-conferenceName, then the extras. */
    public List<SipHeader> sipHeaders() {
        List<SipHeader> headers = new ArrayList<>();
        headers.add(new SipHeader("From", uri(from)));
        headers.add(new SipHeader("To", uri(to)));
        headers.add(new SipHeader("Call-ID", sipCallId));
        if (conferenceName != null) {
            headers.add(new SipHeader("X-conferenceName", conferenceName));
        }
        headers.addAll(extraHeaders);
        return headers;
    }

    private String uri(String number) {
        return number.startsWith("sip:") || number.startsWith("tel:") ? number : "sip:" + number + "@" + sipDomain;
    }

    /** A new spec with another call id (same caller and headers). */
    public IncomingCallSpec withCallId(String newCallId) {
        return new IncomingCallSpec(newCallId, from, to, sipCallId, conferenceName, sipDomain, extraHeaders);
    }

    /** Builder with realistic defaults. */
    public static final class Builder {
        private String callId = OpenAiIds.callId();
        private String from = "+14155550100";
        private String to = "+18005550199";
        private String sipCallId = UUID.randomUUID() + "@10.0.0.1";
        private String conferenceName = "CF" + OpenAiIds.random(32).toLowerCase(Locale.ROOT);
        private String sipDomain = "sip.example.com";
        private final List<SipHeader> extraHeaders = new ArrayList<>();

        private Builder() {
        }

        public Builder callId(String value) {
            callId = value;
            return this;
        }

        public Builder from(String value) {
            from = value;
            return this;
        }

        public Builder to(String value) {
            to = value;
            return this;
        }

        public Builder sipCallId(String value) {
            sipCallId = value;
            return this;
        }

        /** The conference name; null leaves the header out. */
        public Builder conferenceName(String value) {
            conferenceName = value;
            return this;
        }

        public Builder sipDomain(String value) {
            sipDomain = value;
            return this;
        }

        public Builder header(String name, String value) {
            extraHeaders.add(new SipHeader(name, value));
            return this;
        }

        public IncomingCallSpec build() {
            return new IncomingCallSpec(callId, from, to, sipCallId, conferenceName, sipDomain, extraHeaders);
        }
    }
}
