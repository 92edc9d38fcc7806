package ai.phoneagent.worker.tools;

import com.twilio.http.NetworkHttpClient;
import com.twilio.http.Response;
import com.twilio.http.TwilioRestClient;
import java.util.function.Supplier;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;

/** Builds the Twilio REST client for an account; tests route its connections to a fake Twilio. */
@FunctionalInterface
public interface TwilioClientFactory {
    TwilioRestClient create(String accountSid, String authToken);

    /** Twilio's real API. */
    static TwilioClientFactory standard() {
        return over(HttpClients::custom);
    }

    /**
     * Clients whose connections come from {@code connections}, and which never retry on their own: twilio-java
     * repeats a request that got a 5xx, and repeating "add this participant" would dial the human twice.
     */
    static TwilioClientFactory over(Supplier<HttpClientBuilder> connections) {
        return (sid, token) -> new TwilioRestClient.Builder(sid, token)
                .httpClient(new SingleAttemptHttpClient(connections.get()))
                .build();
    }

    /** twilio-java's HTTP client with its automatic retry switched off. */
    final class SingleAttemptHttpClient extends NetworkHttpClient {
        SingleAttemptHttpClient(HttpClientBuilder builder) {
            super(builder);
        }

        @Override
        protected boolean shouldRetry(Response response, int[] retryCodes) {
            return false;
        }
    }
}
