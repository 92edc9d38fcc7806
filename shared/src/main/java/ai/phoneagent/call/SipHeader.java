package ai.phoneagent.call;

/** One SIP header as OpenAI forwarded it (names may repeat and arrive in any case). */
public record SipHeader(String name, String value) {
}
