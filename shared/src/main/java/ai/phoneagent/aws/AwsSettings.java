package ai.phoneagent.aws;

import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import java.net.URI;
import java.util.Optional;

/**
 * Where and as whom the AWS clients connect: the region, endpoint overrides for local services
 * ({@code AWS_ENDPOINT_URL}, or per service {@code AWS_ENDPOINT_URL_SQS} / {@code AWS_ENDPOINT_URL_DYNAMODB},
 * the SDK's own names), and static credentials when running against them.
 */
public record AwsSettings(String region, Optional<URI> sqsEndpoint, Optional<URI> dynamoEndpoint,
                          Optional<StaticKeys> staticKeys, AwsTimeouts timeouts) {
    /** Settings with the default {@link AwsTimeouts} ({@link AwsTimeouts#LOCAL} when an endpoint is overridden). */
    public AwsSettings(String region, Optional<URI> sqsEndpoint, Optional<URI> dynamoEndpoint, Optional<StaticKeys> staticKeys) {
        this(region, sqsEndpoint, dynamoEndpoint, staticKeys,
                sqsEndpoint.isPresent() || dynamoEndpoint.isPresent() ? AwsTimeouts.LOCAL : AwsTimeouts.DEFAULTS);
    }

    /** Access key pair used only against local endpoints. */
    public record StaticKeys(String accessKeyId, String secretAccessKey) {
        @Override
        public String toString() {
            return "StaticKeys[redacted]";
        }
    }

    public static AwsSettings fromEnv(Env env) {
        Optional<URI> shared = env.url("AWS_ENDPOINT_URL");
        Optional<URI> sqs = env.url("AWS_ENDPOINT_URL_SQS").or(() -> shared);
        Optional<URI> dynamo = env.url("AWS_ENDPOINT_URL_DYNAMODB").or(() -> shared);
        boolean local = sqs.isPresent() || dynamo.isPresent();
        String region = env.optional("AWS_REGION").or(() -> env.optional("AWS_DEFAULT_REGION"))
                .orElse(local ? "us-east-1" : null);
        if (region == null) {
            throw new ConfigException("AWS_REGION", "is required but not set");
        }
        Optional<StaticKeys> keys = local
                ? Optional.of(new StaticKeys(env.get("AWS_ACCESS_KEY_ID", "local"), env.get("AWS_SECRET_ACCESS_KEY", "local")))
                : Optional.empty();
        return new AwsSettings(region, sqs, dynamo, keys,
                AwsTimeouts.fromEnv(env, local ? AwsTimeouts.LOCAL : AwsTimeouts.DEFAULTS));
    }

    /** Settings for local endpoints (embedded services or LocalStack). */
    public static AwsSettings local(URI sqsEndpoint, URI dynamoEndpoint) {
        return new AwsSettings("us-east-1", Optional.of(sqsEndpoint), Optional.of(dynamoEndpoint),
                Optional.of(new StaticKeys("local", "local")));
    }
}
