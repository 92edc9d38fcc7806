package ai.phoneagent.twilio;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import java.net.URI;

/**
 * Where Twilio's REST API answers: {@code TWILIO_API_BASE_URL}, default {@code https://api.twilio.com}. Only scheme,
 * host and port may be set (Twilio's paths are kept), so a fake Twilio on {@code http://127.0.0.1:<port>} serves the
 * same requests the real one would. Free of twilio-java, so any part can read it.
 */
public record TwilioEndpoint(URI baseUrl) {
    public static final String VARIABLE = "TWILIO_API_BASE_URL";
    public static final URI TWILIO = URI.create("https://api.twilio.com");
    public static final TwilioEndpoint DEFAULT = new TwilioEndpoint(TWILIO);

    public static TwilioEndpoint fromEnv(Env env) {
        URI uri = env.url(VARIABLE).orElse(TWILIO);
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ConfigException(VARIABLE, "must be an http(s) URL");
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
            throw new ConfigException(VARIABLE, "must be scheme, host and port only (Twilio's paths are kept)");
        }
        return new TwilioEndpoint(uri);
    }

    /** True when requests go to Twilio's own API. */
    public boolean isTwilio() {
        return baseUrl.equals(TWILIO);
    }
}
