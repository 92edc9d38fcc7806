package ai.phoneagent.twilio;

import com.twilio.http.NetworkHttpClient;
import com.twilio.http.Response;
import com.twilio.http.TwilioRestClient;
import java.net.URI;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.HttpHost;

/**
 * The one place every Twilio REST client of the system is built: against Twilio's own API or, with
 * {@code TWILIO_API_BASE_URL} (see {@link TwilioEndpoint}), against any other base URL such as a fake Twilio in the
 * local stack or a test. Every client is single-attempt: twilio-java repeats a request that got a 5xx on its own, and
 * repeating "create this call" or "add this participant" would dial a person twice.
 *
 * <p>Needs twilio-java on the class path (an optional dependency of {@code shared}).
 */
public final class TwilioApi {
    private TwilioApi() {
    }

    /** A client for this account whose requests all go to {@code endpoint}. */
    public static TwilioRestClient client(TwilioEndpoint endpoint, String accountSid, String authToken) {
        return client(connections(endpoint), accountSid, authToken);
    }

    /** A client over the given connections (e.g. a test's loopback route planner), still never retrying. */
    public static TwilioRestClient client(HttpClientBuilder connections, String accountSid, String authToken) {
        return new TwilioRestClient.Builder(accountSid, authToken)
                .httpClient(new SingleAttemptHttpClient(connections))
                .build();
    }

    /**
     * Connections for {@code endpoint}: Twilio's own hosts as twilio-java addresses them, or every request routed to
     * the configured scheme, host and port (twilio-java still builds {@code https://api.twilio.com/...} URLs; only
     * where the connection goes changes, so the path and signature stay Twilio's).
     */
    public static HttpClientBuilder connections(TwilioEndpoint endpoint) {
        HttpClientBuilder builder = HttpClients.custom();
        if (endpoint.isTwilio()) {
            return builder;
        }
        URI base = endpoint.baseUrl();
        String scheme = base.getScheme().toLowerCase(java.util.Locale.ROOT);
        int port = base.getPort() != -1 ? base.getPort() : scheme.equals("https") ? 443 : 80;
        HttpRoute route = new HttpRoute(new HttpHost(scheme, base.getHost(), port), null, scheme.equals("https"));
        return builder.setRoutePlanner((target, context) -> route);
    }

    /** twilio-java's HTTP client with its automatic retry switched off. */
    static final class SingleAttemptHttpClient extends NetworkHttpClient {
        SingleAttemptHttpClient(HttpClientBuilder builder) {
            super(builder);
        }

        @Override
        protected boolean shouldRetry(Response response, int[] retryCodes) {
            return false;
        }
    }
}
