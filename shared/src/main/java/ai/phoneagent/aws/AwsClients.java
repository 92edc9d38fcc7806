package ai.phoneagent.aws;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the AWS SDK clients every part uses: URL-connection HTTP, explicit region and credentials, the
 * {@link AwsTimeouts} on every call, request counting ({@link AwsRequestCounter}) and failures that name the
 * operation and endpoint ({@link AwsFailures}).
 */
public final class AwsClients {
    private final AwsSettings settings;
    private final SdkHttpClient http;

    public AwsClients(AwsSettings settings) {
        this(settings, null);
    }

    private AwsClients(AwsSettings settings, SdkHttpClient http) {
        this.settings = settings;
        this.http = http != null ? http : UrlConnectionHttpClient.builder()
                .connectionTimeout(settings.timeouts().connect())
                // a read may last a whole long poll; every other call is cut off sooner by its attempt timeout
                .socketTimeout(Duration.ofSeconds(25).plus(AwsTimeouts.LONG_POLL_MARGIN))
                .build();
    }

    /**
     * Clients that never touch the network (every DynamoDB call succeeds empty, every SQS send is taken): for
     * SnapStart priming of the real code path before a snapshot. Nothing else may use them.
     */
    public static AwsClients offline() {
        java.net.URI nowhere = java.net.URI.create("http://offline.invalid");
        return new AwsClients(AwsSettings.local(nowhere, nowhere), new OfflineHttpClient());
    }

    public DynamoDbClient dynamo() {
        var builder = configure(DynamoDbClient.builder()).httpClient(http);
        settings.dynamoEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    public SqsClient sqs() {
        var builder = configure(SqsClient.builder()).httpClient(http);
        settings.sqsEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    public SecretsManagerClient secrets() {
        return configure(SecretsManagerClient.builder()).httpClient(http).build();
    }

    private <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
        builder.region(Region.of(settings.region()))
                .credentialsProvider(credentials())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(settings.timeouts().attempt())
                        .apiCallTimeout(settings.timeouts().call())
                        .addExecutionInterceptor(AwsRequestCounter.GLOBAL)
                        .addExecutionInterceptor(AwsFailures.INTERCEPTOR)
                        .build());
        return builder;
    }

    private AwsCredentialsProvider credentials() {
        if (settings.staticKeys().isPresent()) {
            var keys = settings.staticKeys().get();
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey()));
        }
        if (System.getenv("AWS_ACCESS_KEY_ID") != null) {
            return EnvironmentVariableCredentialsProvider.create(); // Lambda
        }
        if (System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != null
                || System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null) {
            return ContainerCredentialsProvider.create(); // ECS task role
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
