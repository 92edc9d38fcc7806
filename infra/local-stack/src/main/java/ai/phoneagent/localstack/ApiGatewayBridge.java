package ai.phoneagent.localstack;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Plays API Gateway's HTTP API locally: turns each HTTP request into the same payload-v2 event the Lambdas get in
 * AWS and sends the handler's response back. Routes are matched by path prefix, like the SAM template's.
 */
public final class ApiGatewayBridge implements AutoCloseable {
    /** A route: requests whose path starts with {@code prefix} go to {@code handler}. */
    public record Route(String prefix, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) {
    }

    private static final int MAX_BODY = 1024 * 1024;
    private final HttpServer server;
    private final List<Route> routes;
    private final Clock clock;

    private ApiGatewayBridge(HttpServer server, List<Route> routes, Clock clock) {
        this.server = server;
        this.routes = List.copyOf(routes);
        this.clock = clock;
    }

    /** Starts serving on loopback (or all interfaces when {@code host} says so). */
    public static ApiGatewayBridge start(String host, int port, List<Route> routes, Clock clock) throws IOException {
        return bind(host, port).start(routes, clock);
    }

    /**
     * Binds the port now ({@code 0}: any free one) so its number is known before the routes exist, without the race
     * of picking a "free" port and binding it later; serves once {@link Bound#start started}.
     */
    public static Bound bind(String host, int port) throws IOException {
        return new Bound(HttpServer.create(new InetSocketAddress(host, port), 128));
    }

    /** A bound, not yet serving, listener. */
    public record Bound(HttpServer server) implements AutoCloseable {
        public int port() {
            return server.getAddress().getPort();
        }

        public ApiGatewayBridge start(List<Route> routes, Clock clock) {
            ApiGatewayBridge bridge = new ApiGatewayBridge(server, routes, clock);
            server.createContext("/", bridge::handle);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return bridge;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            Route route = routes.stream().filter(r -> path.equals(r.prefix()) || path.startsWith(r.prefix() + "/"))
                    .findFirst().orElse(null);
            if (route == null) {
                respond(exchange, 404, "{\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no such route\"}}",
                        Map.of("content-type", "application/json"));
                return;
            }
            byte[] body = readBody(exchange.getRequestBody());
            if (body == null) {
                respond(exchange, 413, "{\"ok\":false,\"error\":{\"code\":\"payload_too_large\",\"message\":\"body too large\"}}",
                        Map.of("content-type", "application/json"));
                return;
            }
            APIGatewayV2HTTPResponse response = route.handler().handleRequest(toEvent(exchange, path, body), null);
            String responseBody = response.getBody() == null ? "" : response.getBody();
            if (response.getIsBase64Encoded()) {
                responseBody = new String(Base64.getDecoder().decode(responseBody), StandardCharsets.UTF_8);
            }
            respond(exchange, response.getStatusCode(), responseBody,
                    response.getHeaders() == null ? Map.of() : response.getHeaders());
        } catch (RuntimeException e) {
            // Like API Gateway: a crashed integration is a bare 500, never a stack trace to the client.
            respond(exchange, 500, "{\"message\":\"Internal Server Error\"}", Map.of("content-type", "application/json"));
        }
    }

    APIGatewayV2HTTPEvent toEvent(HttpExchange exchange, String path, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String text = utf8OrNull(body);
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withRawQueryString(exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery())
                .withQueryStringParameters(QueryString.parse(exchange.getRequestURI().getRawQuery()))
                .withHeaders(headers)
                .withBody(body.length == 0 ? null : text != null ? text : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0 && text == null)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method)
                                .withPath(path)
                                .withProtocol("HTTP/1.1")
                                .withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress())
                                .build())
                        .withRequestId(java.util.UUID.randomUUID().toString())
                        .withTimeEpoch(clock.millis())
                        .build())
                .build();
    }

    private static String utf8OrNull(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        return body.length > MAX_BODY ? null : body;
    }

    private static void respond(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Minimal query-string decoding, as API Gateway does for {@code queryStringParameters}. */
    static final class QueryString {
        private QueryString() {
        }

        static Map<String, String> parse(String raw) {
            Map<String, String> params = new LinkedHashMap<>();
            if (raw == null || raw.isEmpty()) {
                return params;
            }
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.merge(key, value, (a, b) -> a + "," + b);
            }
            return params;
        }
    }

}
