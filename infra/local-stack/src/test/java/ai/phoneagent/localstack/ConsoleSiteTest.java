package ai.phoneagent.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local console site over real HTTP (the API Gateway look-alike), with a recording stand-in for the control API. */
class ConsoleSiteTest {
    private static final String TOKEN = "local-console-test-token-0123";

    @TempDir
    Path temp;
    private Path root;
    private final List<APIGatewayV2HTTPEvent> relayed = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private ConsoleSite site;
    private ApiGatewayBridge bridge;
    private String base;

    @BeforeEach
    void start() throws IOException {
        root = Files.createDirectories(temp.resolve("public"));
        Files.writeString(root.resolve("index.html"), "<!doctype html><title>console</title>");
        Files.createDirectories(root.resolve("js"));
        Files.writeString(root.resolve("js/main.js"), "export const x = 1;");
        Files.writeString(temp.resolve("secret.json"), "{\"secret\":true}");
        site = new ConsoleSite(root, (event, context) -> {
            relayed.add(event);
            return APIGatewayV2HTTPResponse.builder().withStatusCode(200).withHeaders(Map.of("content-type", "application/json"))
                    .withBody("{\"ok\":true}").build();
        }, TOKEN, Clock.systemUTC());
        bridge = ApiGatewayBridge.start("127.0.0.1", 0, List.of(new ApiGatewayBridge.Route("/console", site),
                new ApiGatewayBridge.Route("/api", site)), Clock.systemUTC());
        base = "http://127.0.0.1:" + bridge.port();
    }

    @AfterEach
    void stop() {
        bridge.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String signIn() throws Exception {
        HttpResponse<String> login = get("/console/login?code=" + site.newLoginCode());
        assertThat(login.statusCode()).isEqualTo(303);
        return login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    }

    @Test
    void aLoginCodeWorksOnceAndSetsAnHttpOnlyStrictSessionCookie() throws Exception {
        String code = site.newLoginCode();
        HttpResponse<String> login = get("/console/login?code=" + code);
        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.headers().firstValue("location")).hasValue("/console/");
        String cookie = login.headers().firstValue("set-cookie").orElseThrow();
        assertThat(cookie).startsWith("console_session=").contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        assertThat(get("/console/login?code=" + code).statusCode()).as("used twice").isEqualTo(401);
        assertThat(get("/console/login?code=wrong").statusCode()).isEqualTo(401);

        HttpResponse<String> page = get("/console/", "Cookie", cookie.split(";")[0]);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>console</title>");
        assertThat(page.headers().firstValue("content-security-policy")).hasValue(ConsoleSite.CSP);
        assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(page.body()).doesNotContain(TOKEN);
    }

    @Test
    void nothingIsServedOrRelayedWithoutASession() throws Exception {
        for (String path : List.of("/console/", "/console/index.html", "/console/js/main.js", "/api/calls")) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(401);
            assertThat(get(path, "Cookie", "console_session=forged").statusCode()).as(path).isEqualTo(401);
        }
        assertThat(post("/api/calls/rtc_1/actions/hangup", "{}").statusCode()).isEqualTo(401);
        assertThat(post("/console/login-codes", "").statusCode()).isEqualTo(401);
        assertThat(post("/console/login-codes", "", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(relayed).isEmpty();
    }

    @Test
    void scriptsMintLoginCodesWithTheControlToken() throws Exception {
        HttpResponse<String> minted = post("/console/login-codes", "", "Authorization", "Bearer " + TOKEN);
        assertThat(minted.statusCode()).isEqualTo(201);
        String path = minted.body().replaceAll(".*\"loginPath\":\"([^\"]+)\".*", "$1");
        assertThat(get(path).statusCode()).isEqualTo(303);
    }

    @Test
    void apiCallsReachTheControlApiWithTheTokenAddedAndTheCookieRemoved() throws Exception {
        String session = signIn();
        HttpResponse<String> hangup = post("/api/calls/rtc_1/actions/hangup", "{\"reason\":\"x\"}", "Cookie", session,
                "Content-Type", "application/json", "Idempotency-Key", "k-1");
        assertThat(hangup.statusCode()).isEqualTo(200);
        assertThat(get("/api/calls?status=recent&number=555", "Cookie", session).statusCode()).isEqualTo(200);
        assertThat(relayed).hasSize(2);
        APIGatewayV2HTTPEvent action = relayed.get(0);
        assertThat(action.getRawPath()).isEqualTo("/control/calls/rtc_1/hangup");
        assertThat(action.getHeaders()).containsEntry("authorization", "Bearer " + TOKEN)
                .containsEntry("idempotency-key", "k-1").doesNotContainKey("cookie");
        assertThat(action.getBody()).isEqualTo("{\"reason\":\"x\"}");
        assertThat(relayed.get(1).getRawPath()).isEqualTo("/control/calls");
        assertThat(relayed.get(1).getRawQueryString()).isEqualTo("status=recent&number=555");
    }

    @Test
    void stateChangingRequestsFromAnotherOriginAreRefused() throws Exception {
        String session = signIn();
        HttpResponse<String> foreign = post("/api/calls/rtc_1/actions/hangup", "{}", "Cookie", session,
                "Origin", "https://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        HttpResponse<String> crossSite = post("/api/calls/rtc_1/actions/hangup", "{}", "Cookie", session,
                "Sec-Fetch-Site", "cross-site");
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(relayed).isEmpty();
        HttpResponse<String> sameOrigin = post("/api/calls/rtc_1/actions/hangup", "{}", "Cookie", session,
                "Origin", base);
        assertThat(sameOrigin.statusCode()).isEqualTo(200);
    }

    @Test
    void onlyTheConsoleDirectoryIsServed() throws Exception {
        String session = signIn();
        assertThat(get("/console/js/main.js", "Cookie", session).headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/javascript"));
        for (String path : List.of("/console/../secret.json", "/console/%2e%2e/secret.json", "/console/js/../../secret.json",
                "/console/missing.js", "/console/js/", "/console/index.txt")) {
            HttpResponse<String> response = get(path, "Cookie", session);
            assertThat(response.statusCode()).as(path).isIn(400, 404);
            assertThat(response.body()).as(path).doesNotContain("secret");
        }
    }
}
