package ai.phoneagent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import okhttp3.OkHttpClient;

/** What a running tool may use of the call it runs for; the worker implements it for each call. */
public interface ToolContext {
    /** OpenAI's id of the phone call. */
    String callId();

    /** Records a non-turn event on the call (best effort, off the call's hot path). */
    void recordEvent(String kind, JsonNode details);

    /** Hangs up once the response in progress is done, so the agent's goodbye is heard. Does not block. */
    void hangupAfterResponse(String reason);

    /** Transfers the caller to a configured target by name (null: the default); the outcome as the model hears it. */
    ToolResult transfer(String targetName, String reason);

    /** The worker's shared HTTP client (connection pool and dispatcher); tools set their own timeouts. */
    OkHttpClient http();

    Clock clock();
}
