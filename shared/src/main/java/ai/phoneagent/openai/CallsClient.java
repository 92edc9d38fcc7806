package ai.phoneagent.openai;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import okhttp3.OkHttpClient;

/** OpenAI's Realtime Calls REST API (accept, reject, hangup, refer) with bounded retries. Thread-safe. */
public final class CallsClient {
    private final CallsTransport http;
    private final OpenAiEndpoints endpoints;
    private final String apiKey;
    private final RetryPolicy retry;
    private final Clock clock;

    public CallsClient(OkHttpClient http, OpenAiEndpoints endpoints, String apiKey, RetryPolicy retry, Clock clock) {
        this(CallsTransport.okHttp(http), endpoints, apiKey, retry, clock);
    }

    public CallsClient(CallsTransport http, OpenAiEndpoints endpoints, String apiKey, RetryPolicy retry, Clock clock) {
        this.http = http;
        this.endpoints = endpoints;
        this.apiKey = apiKey;
        this.retry = retry;
        this.clock = clock;
    }

    /** Accepts an incoming call with a Realtime session body. */
    public CallsOutcome accept(String callId, JsonNode session) {
        return post(endpoints.callAction(callId, "accept"), Json.write(session));
    }

    /** Rejects an incoming call with a SIP status (603 Decline when null). */
    public CallsOutcome reject(String callId, Integer sipStatus) {
        var body = Json.object();
        if (sipStatus != null) {
            body.put("status_code", sipStatus);
        }
        return post(endpoints.callAction(callId, "reject"), Json.write(body));
    }

    /** Ends a call. */
    public CallsOutcome hangup(String callId) {
        return post(endpoints.callAction(callId, "hangup"), "");
    }

    /** Cold transfer by SIP REFER to a {@code tel:} or {@code sip:} URI. */
    public CallsOutcome refer(String callId, String targetUri) {
        var body = Json.object().put("target_uri", targetUri);
        return post(endpoints.callAction(callId, "refer"), Json.write(body));
    }

    private CallsOutcome post(URI uri, String body) {
        Instant deadline = clock.instant().plus(retry.deadline());
        String lastFailure = "no attempt made";
        for (int attempt = 1; ; attempt++) {
            Duration remaining = Duration.between(clock.instant(), deadline);
            if (remaining.isNegative() || remaining.isZero()) {
                return new CallsOutcome.Unavailable(lastFailure);
            }
            try {
                CallsTransport.Reply reply = http.post(uri, "Bearer " + apiKey, body, remaining);
                int code = reply.status();
                if (reply.success()) {
                    return new CallsOutcome.Done();
                }
                String text = reply.errorBody();
                if (code == 404) {
                    return new CallsOutcome.Gone();
                }
                if (code >= 400 && code < 500 && code != 408 && code != 409 && code != 429) {
                    return new CallsOutcome.Refused(code, errorMessage(text));
                }
                lastFailure = "HTTP " + code;
            } catch (InterruptedIOException e) {
                lastFailure = "timeout";
            } catch (IOException e) {
                lastFailure = "I/O error (" + e.getClass().getSimpleName() + ")";
            }
            Duration pause = retry.delayBefore(attempt);
            if (clock.instant().plus(pause).isAfter(deadline)) {
                return new CallsOutcome.Unavailable(lastFailure);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new CallsOutcome.Unavailable("interrupted");
            }
        }
    }

    /** OpenAI's {@code error.message}, trimmed; never the request (which holds no secret anyway). */
    static String errorMessage(String body) {
        try {
            JsonNode node = Json.parse(body);
            String message = Json.text(node.path("error"), "message");
            if (message != null) {
                return message.length() > 500 ? message.substring(0, 500) : message;
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: fall through to a generic message
        }
        return "request refused";
    }
}
