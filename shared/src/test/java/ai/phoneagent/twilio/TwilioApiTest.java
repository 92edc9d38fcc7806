package ai.phoneagent.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import com.twilio.exception.ApiException;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code TWILIO_API_BASE_URL}: every Twilio client built here goes to the configured base URL, once per request. */
class TwilioApiTest {
    private static final String SID = "AC0123456789abcdef0123456789abcdef";
    private final MockWebServer server = new MockWebServer();

    TwilioApiTest() throws IOException {
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TwilioEndpoint endpoint() {
        return TwilioEndpoint.fromEnv(Env.of(Map.of("TWILIO_API_BASE_URL", "http://127.0.0.1:" + server.getPort())));
    }

    @Test
    void requestsGoToTheConfiguredBaseUrlWithTwiliosPaths() throws Exception {
        server.enqueue(new MockResponse.Builder().code(201).setHeader("Content-Type", "application/json")
                .body("{\"sid\":\"CA0123456789abcdef0123456789abcdef\",\"status\":\"queued\"}").build());

        Call call = Call.creator(new PhoneNumber("+15550001111"), new PhoneNumber("+15550100000"),
                new Twiml("<Response/>")).create(TwilioApi.client(endpoint(), SID, "token-x"));

        assertThat(call.getSid()).isEqualTo("CA0123456789abcdef0123456789abcdef");
        RecordedRequest request = server.takeRequest();
        assertThat(request.getUrl().encodedPath()).isEqualTo("/2010-04-01/Accounts/" + SID + "/Calls.json");
        assertThat(request.getBody().utf8()).contains("To=%2B15550001111");
    }

    @Test
    void aServerErrorIsNeverRetriedSoNobodyIsDialledTwice() {
        server.enqueue(new MockResponse.Builder().code(500).setHeader("Content-Type", "application/json")
                .body("{\"code\":20500,\"message\":\"Internal Server Error\",\"status\":500}").build());
        server.enqueue(new MockResponse.Builder().code(201).body("{}").build());

        assertThatThrownBy(() -> Call.creator(new PhoneNumber("+15550001111"), new PhoneNumber("+15550100000"),
                new Twiml("<Response/>")).create(TwilioApi.client(endpoint(), SID, "token-x")))
                .isInstanceOf(ApiException.class);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void theDefaultIsTwiliosOwnApiAndOnlySchemeHostAndPortMayBeSet() {
        assertThat(TwilioEndpoint.fromEnv(Env.of(Map.of())).isTwilio()).isTrue();
        assertThat(TwilioEndpoint.fromEnv(Env.of(Map.of())).baseUrl()).isEqualTo(URI.create("https://api.twilio.com"));
        assertThatThrownBy(() -> TwilioEndpoint.fromEnv(Env.of(Map.of("TWILIO_API_BASE_URL", "http://fake/twilio"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("TWILIO_API_BASE_URL");
        assertThatThrownBy(() -> TwilioEndpoint.fromEnv(Env.of(Map.of("TWILIO_API_BASE_URL", "ftp://fake"))))
                .isInstanceOf(ConfigException.class);
    }
}
