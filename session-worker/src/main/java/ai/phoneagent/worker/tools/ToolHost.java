package ai.phoneagent.worker.tools;

import ai.phoneagent.call.CallRecord;
import com.fasterxml.jackson.databind.JsonNode;

/** What the tool runner needs of the call it runs tools for; implemented by the call's session. */
public interface ToolHost {
    String callId();

    /** The call as this worker claimed it (from, to, conference, token, tool catalogue). */
    CallRecord call();

    /** Sends a client event on the call's WebSocket; false when the socket is not open. */
    boolean send(String clientEvent);

    /** Records a non-turn event on the call (best effort). */
    void recordEvent(String kind, JsonNode details);

    /** Hangs up once the response in progress is done, so the agent's goodbye is heard. */
    void hangupAfterResponse(String reason);
}
