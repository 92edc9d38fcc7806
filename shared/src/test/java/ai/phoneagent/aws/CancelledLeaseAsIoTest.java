package ai.phoneagent.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The pooled transport's wrapper: a cancelled connection lease becomes an I/O failure, which an SDK client reports as an
 * AWS call's failure instead of letting a bare {@link CancellationException} out; nothing else changes.
 */
class CancelledLeaseAsIoTest {
    private static final HttpExecuteRequest REQUEST = HttpExecuteRequest.builder()
            .request(SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(URI.create("http://127.0.0.1:1/")).build())
            .build();

    /** A client whose every request answers with {@code answer} (or throws what it throws). */
    private static SdkHttpClient answering(ExecutableHttpRequest answer) {
        return new SdkHttpClient() {
            @Override
            public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
                return answer;
            }

            @Override
            public void close() {
            }
        };
    }

    private static ExecutableHttpRequest request(Callable<HttpExecuteResponse> call, AtomicBoolean aborted) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                try {
                    return call.call();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void abort() {
                aborted.set(true);
            }
        };
    }

    @Test
    void aCancelledLeaseIsReportedAsAnInterruptedRequest() {
        var wrapped = new ApacheTransport.CancelledLeaseAsIo(answering(request(() -> {
            throw new CancellationException("lease cancelled");
        }, new AtomicBoolean())));

        assertThatThrownBy(() -> wrapped.prepareRequest(REQUEST).call()).isInstanceOf(InterruptedIOException.class)
                .hasMessageContaining("waiting for a pooled connection").hasCauseInstanceOf(CancellationException.class);
    }

    @Test
    void anSdkClientOverACancelledLeaseFailsWithAnAwsCallsFailureNotABareCancellation() {
        var cancelling = new ApacheTransport.CancelledLeaseAsIo(answering(request(() -> {
            throw new CancellationException("lease cancelled");
        }, new AtomicBoolean())));
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(cancelling).region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:1"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
                .build()) {
            assertThatThrownBy(() -> dynamo.getItem(b -> b.tableName("calls")
                    .key(Map.of("pk", AttributeValue.fromS("x"), "sk", AttributeValue.fromS("y")))))
                    .isInstanceOf(SdkException.class).hasRootCauseInstanceOf(CancellationException.class);
        }
    }

    @Test
    void answersOtherFailuresAndAbortsPassThroughUnchanged() throws Exception {
        HttpExecuteResponse ok = HttpExecuteResponse.builder()
                .response(SdkHttpResponse.builder().statusCode(200).build()).build();
        AtomicBoolean aborted = new AtomicBoolean();
        var answering = new ApacheTransport.CancelledLeaseAsIo(answering(request(() -> ok, aborted)));
        ExecutableHttpRequest prepared = answering.prepareRequest(REQUEST);
        assertThat(prepared.call()).isSameAs(ok);
        prepared.abort();
        assertThat(aborted).isTrue();

        var refusing = new ApacheTransport.CancelledLeaseAsIo(answering(request(() -> {
            throw new ConnectException("refused");
        }, new AtomicBoolean())));
        assertThatThrownBy(() -> refusing.prepareRequest(REQUEST).call()).isExactlyInstanceOf(ConnectException.class);
    }
}
