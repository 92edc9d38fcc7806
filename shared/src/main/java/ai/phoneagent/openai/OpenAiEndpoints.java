package ai.phoneagent.openai;

import java.net.URI;
import java.util.regex.Pattern;

/** URLs of OpenAI's Realtime Calls API and call WebSocket, under a configurable base (the simulator's, locally). */
public record OpenAiEndpoints(URI baseUrl) {
    /** OpenAI's production base URL. */
    public static final URI DEFAULT_BASE = URI.create("https://api.openai.com");
    private static final Pattern CALL_ID = Pattern.compile("[A-Za-z0-9_\\-]{1,128}");

    public OpenAiEndpoints {
        String text = baseUrl.toString();
        if (text.endsWith("/")) {
            baseUrl = URI.create(text.substring(0, text.length() - 1));
        }
    }

    /** True when the id is safe to place in a URL path or query. */
    public static boolean isValidCallId(String callId) {
        return callId != null && CALL_ID.matcher(callId).matches();
    }

    /** {@code POST <base>/v1/realtime/calls/{id}/{verb}}. */
    public URI callAction(String callId, String verb) {
        requireValid(callId);
        return URI.create(baseUrl + "/v1/realtime/calls/" + callId + "/" + verb);
    }

    /** {@code wss://<base host>/v1/realtime?call_id=…} (ws:// when the base is plain http). */
    public URI realtimeSocket(String callId) {
        requireValid(callId);
        String text = baseUrl.toString();
        String ws = text.startsWith("https://") ? "wss://" + text.substring(8)
                : text.startsWith("http://") ? "ws://" + text.substring(7) : text;
        return URI.create(ws + "/v1/realtime?call_id=" + callId);
    }

    private static void requireValid(String callId) {
        if (!isValidCallId(callId)) {
            throw new IllegalArgumentException("invalid call id");
        }
    }
}
