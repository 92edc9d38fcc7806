package ai.phoneagent.call;

/** One SIP header as OpenAI forwarded it (names may repeat and arrive in any case). */
public record SipHeader(String name, String value) {

    /**
     * The headers as stored on the call item: {@code [{"name","value"},…]}, built as a JSON tree (what the mapper
     * writes for the record, without its bean introspection: ~20 ms of a webhook's cold start).
     */
    public static String toJson(java.util.List<SipHeader> headers) {
        com.fasterxml.jackson.databind.node.ArrayNode array = ai.phoneagent.json.Json.mapper().createArrayNode();
        for (SipHeader h : headers) {
            com.fasterxml.jackson.databind.node.ObjectNode header = array.addObject();
            if (h.name() != null) {
                header.put("name", h.name());
            }
            if (h.value() != null) {
                header.put("value", h.value());
            }
        }
        return ai.phoneagent.json.Json.write(array);
    }
}
