package ai.phoneagent.localstack;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The operator console on the local stack, playing the part the Cloudflare Worker plays in production: serves the
 * static app under {@code /console/} and relays the app's {@code /api/**} calls to the control API with the control
 * token added here, so the browser never holds {@code CONTROL_API_TOKEN}.
 *
 * <p>Signing in: the run command prints {@code /console/login?code=…}, a one-time code; opening it sets an
 * {@code HttpOnly; SameSite=Strict} session cookie. Scripts mint more codes with
 * {@code POST /console/login-codes} and the control token. Without a session every console and API path answers
 * 401; state-changing API requests must also come from this origin.
 */
public final class ConsoleSite implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    static final String COOKIE = "console_session";
    static final Duration SESSION_TTL = Duration.ofHours(12);
    static final Duration CODE_TTL = Duration.ofMinutes(10);
    /** Self only: no inline script or style, no framing, nothing fetched from elsewhere. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final Pattern ASSET = Pattern.compile("(?:[A-Za-z0-9_\\-]+/)*[A-Za-z0-9_\\-]+\\.(?:html|css|js|svg|json)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml",
            "json", "application/json");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private final RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> control;
    private final String controlToken;
    private final Clock clock;
    private final Map<String, Instant> codes = new ConcurrentHashMap<>();
    private final Map<String, Instant> sessions = new ConcurrentHashMap<>();

    public ConsoleSite(Path root, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> control,
                       String controlToken, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.control = control;
        this.controlToken = controlToken;
        this.clock = clock;
    }

    /** A fresh one-time login code, valid for {@link #CODE_TTL}. */
    public String newLoginCode() {
        String code = random(16);
        codes.put(code, clock.instant().plus(CODE_TTL));
        return code;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String path = event.getRawPath();
        String method = event.getRequestContext().getHttp().getMethod();
        Map<String, String> headers = event.getHeaders() == null ? Map.of() : event.getHeaders();
        if (path.equals("/console")) {
            return redirect("/console/");
        }
        if (path.equals("/console/login")) {
            return login(event);
        }
        if (path.equals("/console/login-codes") && method.equals("POST")) {
            return mintCode(headers);
        }
        boolean signedIn = session(headers).isPresent();
        if (path.startsWith("/api/") || path.equals("/api")) {
            if (!signedIn) {
                return json(401, "unauthorized", "Sign in to the console first (open the login link the run command printed)");
            }
            if (!method.equals("GET") && !sameOrigin(headers)) {
                return json(403, "origin_not_allowed", "State-changing requests must come from the console's own origin");
            }
            return relay(event, path, headers);
        }
        if (!signedIn) {
            return page(401, "<!doctype html><title>Sign in</title><h1>Not signed in</h1><p>Open the console with the "
                    + "login link <code>scripts/run.sh</code> printed (<code>/console/login?code=…</code>); each link "
                    + "works once. Restart the local stack for a new one.</p>");
        }
        String asset = path.equals("/console/") ? "index.html" : path.substring("/console/".length());
        return file(asset);
    }

    private APIGatewayV2HTTPResponse login(APIGatewayV2HTTPEvent event) {
        String code = event.getQueryStringParameters() == null ? null : event.getQueryStringParameters().get("code");
        Instant now = clock.instant();
        Instant expires = code == null ? null : codes.remove(code);
        if (expires == null || now.isAfter(expires)) {
            return page(401, "<!doctype html><title>Sign in</title><h1>This login link is not valid</h1><p>Each link "
                    + "works once and for ten minutes. Ask for a new one (restart the local stack, or "
                    + "<code>POST /console/login-codes</code> with the control token).</p>");
        }
        String session = random(32);
        sessions.put(session, now.plus(SESSION_TTL));
        APIGatewayV2HTTPResponse response = redirect("/console/");
        response.getHeaders().put("set-cookie", COOKIE + "=" + session + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + SESSION_TTL.toSeconds());
        return response;
    }

    private APIGatewayV2HTTPResponse mintCode(Map<String, String> headers) {
        String given = headers.getOrDefault("authorization", "");
        byte[] expected = ("Bearer " + controlToken).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected)) {
            return json(401, "unauthorized", "Missing or wrong control token");
        }
        String code = newLoginCode();
        return response(201, "{\"ok\":true,\"code\":\"" + code + "\",\"loginPath\":\"/console/login?code=" + code + "\"}",
                "application/json");
    }

    private Optional<String> session(Map<String, String> headers) {
        String cookies = headers.getOrDefault("cookie", "");
        for (String part : cookies.split(";")) {
            String[] pair = part.strip().split("=", 2);
            if (pair.length == 2 && pair[0].equals(COOKIE)) {
                Instant expires = sessions.get(pair[1]);
                if (expires != null && clock.instant().isBefore(expires)) {
                    return Optional.of(pair[1]);
                }
            }
        }
        return Optional.empty();
    }

    /** Same origin: the browser's Origin (or, without one, Sec-Fetch-Site) says the request came from this host. */
    private static boolean sameOrigin(Map<String, String> headers) {
        String origin = headers.get("origin");
        String host = headers.get("host");
        if (origin != null) {
            return host != null && origin.equals("http://" + host);
        }
        String site = headers.get("sec-fetch-site");
        return site == null || site.equals("same-origin");
    }

    /** {@code /api/calls/{id}/actions/{action}} → {@code /control/calls/{id}/{action}}; other paths map one to one. */
    private APIGatewayV2HTTPResponse relay(APIGatewayV2HTTPEvent event, String path, Map<String, String> headers) {
        String upstream = "/control" + path.substring("/api".length()).replaceFirst("^(/calls/[^/]+)/actions/", "$1/");
        Map<String, String> forwarded = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.equals("cookie") && !lower.equals("authorization")) {
                forwarded.put(lower, value);
            }
        });
        forwarded.put("authorization", "Bearer " + controlToken);
        event.setRawPath(upstream);
        event.getRequestContext().getHttp().setPath(upstream);
        event.setHeaders(forwarded);
        APIGatewayV2HTTPResponse response = control.handleRequest(event, null);
        Map<String, String> out = new LinkedHashMap<>(response.getHeaders() == null ? Map.of() : response.getHeaders());
        out.put("x-content-type-options", "nosniff");
        response.setHeaders(out);
        return response;
    }

    private APIGatewayV2HTTPResponse file(String asset) {
        if (!ASSET.matcher(asset).matches()) {
            return page(404, "<!doctype html><title>Not found</title><h1>Not found</h1>");
        }
        Path file = root.resolve(asset).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
            return page(404, "<!doctype html><title>Not found</title><h1>Not found</h1>");
        }
        try {
            String type = TYPES.get(asset.substring(asset.lastIndexOf('.') + 1));
            return response(200, Files.readString(file, StandardCharsets.UTF_8), type);
        } catch (IOException e) {
            return page(500, "<!doctype html><title>Error</title><h1>The console's files could not be read</h1>");
        }
    }

    private static APIGatewayV2HTTPResponse redirect(String location) {
        APIGatewayV2HTTPResponse response = response(303, "", "text/plain; charset=utf-8");
        response.getHeaders().put("location", location);
        return response;
    }

    private static APIGatewayV2HTTPResponse page(int status, String html) {
        return response(status, html, "text/html; charset=utf-8");
    }

    private static APIGatewayV2HTTPResponse json(int status, String code, String message) {
        return response(status, "{\"ok\":false,\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}",
                "application/json");
    }

    private static APIGatewayV2HTTPResponse response(int status, String body, String type) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", type);
        headers.put("cache-control", "no-store");
        headers.put("content-security-policy", CSP);
        headers.put("x-content-type-options", "nosniff");
        headers.put("x-frame-options", "DENY");
        headers.put("referrer-policy", "no-referrer");
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status).withHeaders(headers).withBody(body)
                .withIsBase64Encoded(false).build();
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
