package ai.phoneagent.openai;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * How {@link CallsClient} sends one POST to OpenAI's Calls API. The worker, which holds OkHttp for its call sockets
 * anyway, sends through {@link #okHttp}; the Lambdas through {@link #urlConnection}, the JDK's
 * {@code HttpURLConnection} that the AWS SDK's client has loaded already, so a cold start builds no second HTTP
 * stack (and no TLS context for a plain-http endpoint). Retries and the deadline stay with {@link CallsClient}.
 */
public interface CallsTransport {
    /**
     * Sends {@code body} as JSON with the given {@code Authorization} header and no automatic retry; gives up with an
     * {@link java.io.InterruptedIOException} when the answer is late (OkHttp bounds the whole exchange by
     * {@code timeout}, {@code HttpURLConnection} the connect and each read).
     */
    Reply post(URI uri, String authorization, String body, Duration timeout) throws IOException;

    /** OpenAI's answer: the status, and the body text when it is not a 2xx (empty for a 2xx). */
    record Reply(int status, String errorBody) {
        public boolean success() {
            return success(status);
        }

        /** Whether {@code status} is a 2xx: the only answers that carry no error body. */
        static boolean success(int status) {
            return status >= 200 && status < 300;
        }
    }

    /** Over an OkHttp client (its own timeouts apply too). */
    static CallsTransport okHttp(okhttp3.OkHttpClient http) {
        return new OkHttpCallsTransport(http);
    }

    /** Over the JDK's {@code HttpURLConnection}; a connection attempt waits at most {@code connectTimeout}. */
    static CallsTransport urlConnection(Duration connectTimeout) {
        return new UrlConnectionCallsTransport(connectTimeout);
    }
}
