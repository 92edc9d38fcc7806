package ai.phoneagent.worker.tools;

import ai.phoneagent.twilio.TwilioApi;
import ai.phoneagent.twilio.TwilioEndpoint;
import com.twilio.http.TwilioRestClient;
import java.util.function.Supplier;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/** Builds the Twilio REST client for an account; tests route its connections to a fake Twilio. */
@FunctionalInterface
public interface TwilioClientFactory {
    TwilioRestClient create(String accountSid, String authToken);

    /** Twilio's API at {@code endpoint} ({@code TWILIO_API_BASE_URL}; Twilio's own by default). */
    static TwilioClientFactory of(TwilioEndpoint endpoint) {
        return (sid, token) -> TwilioApi.client(endpoint, sid, token);
    }

    /**
     * Clients whose connections come from {@code connections}, and which never retry on their own: twilio-java
     * repeats a request that got a 5xx, and repeating "add this participant" would dial the human twice.
     */
    static TwilioClientFactory over(Supplier<HttpClientBuilder> connections) {
        return (sid, token) -> TwilioApi.client(connections.get(), sid, token);
    }
}
