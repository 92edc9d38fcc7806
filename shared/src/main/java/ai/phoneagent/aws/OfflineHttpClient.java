package ai.phoneagent.aws;

import com.fasterxml.jackson.databind.JsonNode;
import ai.phoneagent.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An HTTP client for the AWS SDK that never touches the network: it answers every DynamoDB request with an empty
 * success ({@code {}}) and an SQS {@code SendMessage} with a message id and the body's MD5 (the SDK checks it).
 * For SnapStart priming only: it lets a handler run its real code path, SDK marshalling and signing included,
 * before the snapshot, with nothing that could outlive the restore.
 */
final class OfflineHttpClient implements SdkHttpClient {
    private final AtomicLong ids = new AtomicLong();

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("");
                String body = "{}";
                if (target.endsWith(".SendMessage")) {
                    JsonNode sent = Json.mapper().readTree(read(request));
                    body = Json.write(Json.object().put("MessageId", "offline-" + ids.incrementAndGet())
                            .put("MD5OfMessageBody", md5(sent.path("MessageBody").asText())));
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                return HttpExecuteResponse.builder()
                        .response(SdkHttpResponse.builder().statusCode(200)
                                .putHeader("Content-Type", "application/x-amz-json-1.0")
                                .putHeader("Content-Length", Integer.toString(bytes.length)).build())
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes)))
                        .build();
            }

            @Override
            public void abort() {
                // nothing in flight
            }
        };
    }

    private static byte[] read(HttpExecuteRequest request) throws IOException {
        if (request.contentStreamProvider().isEmpty()) {
            return "{}".getBytes(StandardCharsets.UTF_8);
        }
        try (InputStream in = request.contentStreamProvider().get().newStream()) {
            return in.readAllBytes();
        }
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
