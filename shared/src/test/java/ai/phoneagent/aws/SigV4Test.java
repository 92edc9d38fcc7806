package ai.phoneagent.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** The lean signer against the SDK's own SigV4 signer, byte for byte, on the requests the lean clients send. */
class SigV4Test {
    private static final Instant NOW = Instant.parse("2026-12-02T10:15:30Z");
    private static final String TARGET = "DynamoDB_20120810.GetItem";
    private static final byte[] BODY = "{\"TableName\":\"calls\",\"Key\":{\"pk\":{\"S\":\"CALL#é\"}}}"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void signsAJsonPostExactlyAsTheSdkDoes() {
        var signed = new SigV4("eu-west-1", "dynamodb").sign("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                null, "localhost:8000", "/", AwsJsonTransport.CONTENT_TYPE, TARGET, BODY, NOW);

        SignedRequest sdk = sdkSigned(AwsCredentialsIdentity.create("AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "eu-west-1", "dynamodb", "localhost", 8000);
        assertThat(signed.amzDate()).isEqualTo("20261202T101530Z").isEqualTo(sdk.request().firstMatchingHeader("X-Amz-Date").orElseThrow());
        assertThat(signed.authorization()).isEqualTo(sdk.request().firstMatchingHeader("Authorization").orElseThrow());
    }

    @Test
    void signsTheSessionTokenOfTemporaryCredentialsAsTheSdkDoes() {
        var signed = new SigV4("us-east-1", "sqs").sign("ASIAEXAMPLE", "secret", "token/with+chars==", "sqs.us-east-1.amazonaws.com",
                "/", AwsJsonTransport.CONTENT_TYPE, TARGET, BODY, NOW);

        SignedRequest sdk = sdkSigned(AwsSessionCredentialsIdentity.create("ASIAEXAMPLE", "secret", "token/with+chars=="),
                "us-east-1", "sqs", "sqs.us-east-1.amazonaws.com", -1);
        assertThat(signed.authorization()).contains("x-amz-security-token")
                .isEqualTo(sdk.request().firstMatchingHeader("Authorization").orElseThrow());
    }

    @Test
    void aLaterDayOrAnotherSecretGetsItsOwnKey() {
        SigV4 signer = new SigV4("us-east-1", "dynamodb");
        String today = signer.sign("AK", "one", null, "h", "/", AwsJsonTransport.CONTENT_TYPE, TARGET, BODY, NOW).authorization();
        String tomorrow = signer.sign("AK", "one", null, "h", "/", AwsJsonTransport.CONTENT_TYPE, TARGET, BODY,
                NOW.plusSeconds(86_400)).authorization();
        String rotated = signer.sign("AK", "two", null, "h", "/", AwsJsonTransport.CONTENT_TYPE, TARGET, BODY, NOW).authorization();
        String again = signer.sign("AK", "one", null, "h", "/", AwsJsonTransport.CONTENT_TYPE, TARGET, BODY, NOW).authorization();

        assertThat(today).isNotEqualTo(rotated).isEqualTo(again);
        assertThat(tomorrow).contains("/20261203/us-east-1/dynamodb/aws4_request");
        assertThat(signature(today)).isNotEqualTo(signature(tomorrow));
    }

    @Test
    void manyThreadsSigningAtOnceGetTheOneRightSignature() throws Exception {
        SigV4 signer = new SigV4("us-east-1", "dynamodb");
        String expected = new SigV4("us-east-1", "dynamodb").sign("AK", "secret", null, "h", "/",
                AwsJsonTransport.CONTENT_TYPE, TARGET, BODY, NOW).authorization();
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            var signed = java.util.stream.IntStream.range(0, 2_000).mapToObj(i -> threads.submit(() -> signer.sign("AK",
                    "secret", null, "h", "/", AwsJsonTransport.CONTENT_TYPE, TARGET, BODY, NOW).authorization())).toList();
            for (var one : signed) {
                assertThat(one.get()).isEqualTo(expected);
            }
        }
    }

    private static String signature(String authorization) {
        return authorization.substring(authorization.indexOf("Signature="));
    }

    private static <I extends AwsCredentialsIdentity> SignedRequest sdkSigned(I identity, String region, String service,
                                                                            String host, int port) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).protocol("http").host(host)
                .encodedPath("/")
                .putHeader("Content-Type", AwsJsonTransport.CONTENT_TYPE)
                .putHeader("X-Amz-Target", TARGET);
        if (port > 0) {
            request.port(port);
        }
        return AwsV4HttpSigner.create().sign(r -> r.request(request.build())
                .payload(ContentStreamProvider.fromByteArray(BODY))
                .identity(identity)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(NOW, ZoneOffset.UTC)));
    }
}
