package ai.phoneagent.control;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** API Gateway HTTP API (payload v2) events as the real service sends them. */
public final class Events {
    private Events() {
    }

    public static Builder request(String method, String path) {
        return new Builder(method, path);
    }

    public static final class Builder {
        private final String method;
        private final String path;
        private String rawQuery = "";
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String body;
        private boolean base64;
        private String stage = "$default";

        Builder(String method, String path) {
            this.method = method;
            this.path = path;
        }

        public Builder query(String raw) {
            this.rawQuery = raw;
            return this;
        }

        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Builder bearer(String token) {
            return header("authorization", "Bearer " + token);
        }

        public Builder json(String json) {
            header("content-type", "application/json");
            this.body = json;
            return this;
        }

        public Builder body(String raw) {
            this.body = raw;
            return this;
        }

        /** The body base64-encoded, as API Gateway does for non-text content types. */
        public Builder base64Body(byte[] raw) {
            this.body = Base64.getEncoder().encodeToString(raw);
            this.base64 = true;
            return this;
        }

        public Builder stage(String stage) {
            this.stage = stage;
            return this;
        }

        public APIGatewayV2HTTPEvent build() {
            return APIGatewayV2HTTPEvent.builder()
                    .withVersion("2.0")
                    .withRouteKey("$default")
                    .withRawPath(path)
                    .withRawQueryString(rawQuery)
                    .withHeaders(new LinkedHashMap<>(headers))
                    .withBody(body)
                    .withIsBase64Encoded(base64)
                    .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                            .withRequestId("req-" + System.nanoTime())
                            .withStage(stage)
                            .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                    .withMethod(method).withPath(path).withProtocol("HTTP/1.1")
                                    .withSourceIp("203.0.113.9").build())
                            .build())
                    .build();
        }
    }
}
