package ai.phoneagent.control.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request, independent of how it arrived: method, path (stage prefix removed), raw and parsed query,
 * headers with lower-case names, and the decoded body bytes.
 */
public final class ApiRequest {
    /** Largest body any route accepts. */
    public static final int MAX_BODY_BYTES = 16 * 1024;

    private final String method;
    private final String path;
    private final String rawQuery;
    private final Map<String, String> query;
    private final Map<String, String> headers;
    private final byte[] body;
    private final boolean bodyMalformed;
    private final String requestId;

    private ApiRequest(String method, String path, String rawQuery, Map<String, String> query,
                       Map<String, String> headers, byte[] body, boolean bodyMalformed, String requestId) {
        this.method = method;
        this.path = path;
        this.rawQuery = rawQuery;
        this.query = Collections.unmodifiableMap(query);
        this.headers = Collections.unmodifiableMap(headers);
        this.body = body;
        this.bodyMalformed = bodyMalformed;
        this.requestId = requestId;
    }

    /** A request built directly (local HTTP servers and tests). Header names may be in any case. */
    public static ApiRequest of(String method, String path, String rawQuery, Map<String, String> headers, byte[] body,
                                String requestId) {
        String query = rawQuery == null ? "" : rawQuery;
        return new ApiRequest(method == null ? "" : method.toUpperCase(Locale.ROOT), path == null ? "/" : path, query,
                parseQuery(query), lowerCaseNames(headers), body == null ? new byte[0] : body, false,
                requestId == null ? "" : requestId);
    }

    /** Reads an API Gateway HTTP API (payload v2) event. Never throws: a bad body is reported when it is read. */
    public static ApiRequest fromEvent(APIGatewayV2HTTPEvent event) {
        var context = event.getRequestContext();
        var http = context == null ? null : context.getHttp();
        String method = http != null && http.getMethod() != null ? http.getMethod().toUpperCase(Locale.ROOT) : "";
        String path = event.getRawPath() != null ? event.getRawPath() : http != null ? http.getPath() : null;
        path = withoutStage(path == null || path.isEmpty() ? "/" : path, context == null ? null : context.getStage());
        String rawQuery = event.getRawQueryString() == null ? "" : event.getRawQueryString();
        Map<String, String> query = rawQuery.isEmpty() && event.getQueryStringParameters() != null
                ? new LinkedHashMap<>(event.getQueryStringParameters()) : parseQuery(rawQuery);
        byte[] body = new byte[0];
        boolean malformed = false;
        if (event.getBody() != null) {
            if (event.getIsBase64Encoded()) {
                if (event.getBody().length() > (MAX_BODY_BYTES + 3) / 3 * 4 + 4) {
                    body = new byte[MAX_BODY_BYTES + 1]; // too large either way; not worth decoding
                } else {
                    try {
                        body = Base64.getDecoder().decode(event.getBody()); // strict: API Gateway never wraps lines
                    } catch (IllegalArgumentException e) {
                        malformed = true;
                    }
                }
            } else {
                body = event.getBody().getBytes(StandardCharsets.UTF_8);
            }
        }
        String requestId = context != null && context.getRequestId() != null ? context.getRequestId() : "";
        return new ApiRequest(method, path, rawQuery, query, lowerCaseNames(event.getHeaders()), body, malformed,
                requestId);
    }

    private static String withoutStage(String path, String stage) {
        if (stage == null || stage.isEmpty() || stage.equals("$default")) {
            return path;
        }
        String prefix = "/" + stage;
        if (path.equals(prefix)) {
            return "/";
        }
        return path.startsWith(prefix + "/") ? path.substring(prefix.length()) : path;
    }

    private static Map<String, String> lowerCaseNames(Map<String, String> headers) {
        Map<String, String> lower = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((name, value) -> {
                if (name != null && value != null) {
                    lower.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
                }
            });
        }
        return lower;
    }

    /** Parses {@code a=1&b=2} (percent- and plus-decoded); the first value of a repeated name wins. */
    public static Map<String, String> parseQuery(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                values.putIfAbsent(name, value);
            } catch (IllegalArgumentException e) {
                // a malformed escape: ignore that parameter rather than guess
            }
        }
        return values;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The query string exactly as received (without {@code ?}); empty when none. */
    public String rawQuery() {
        return rawQuery;
    }

    public Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /** A header by name, in any case; empty when absent. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The decoded body; fails with 400 when it was not valid base64, 413 when over {@link #MAX_BODY_BYTES}. */
    public byte[] body() {
        if (bodyMalformed) {
            throw ApiError.invalidRequest("Request body is not valid base64");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE,
                    "Request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        return body;
    }

    public String requestId() {
        return requestId;
    }
}
