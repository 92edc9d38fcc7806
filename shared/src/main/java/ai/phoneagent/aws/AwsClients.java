package ai.phoneagent.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.HttpsURLConnection;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the AWS clients every part uses, as the SDK's client interfaces: DynamoDB's item operations and SQS's message
 * and control-queue operations go straight to the wire ({@link LeanDynamoDb}, {@link LeanSqs} on {@link AwsJsonTransport} and
 * {@link AwsWire}), everything else through SDK clients built on first use. Both kinds have the explicit region and
 * credentials, the {@link AwsTimeouts} on every call, request counting ({@link AwsRequestCounter}) and failures that
 * name the operation and endpoint ({@link AwsFailures}).
 */
public final class AwsClients {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(25).plus(AwsTimeouts.LONG_POLL_MARGIN);
    private final AwsSettings settings;
    private final Supplier<AwsJsonTransport.Wire> wires;
    /** How many SDK clients were built here: none while the parts make only the operations the lean clients send. */
    private final java.util.concurrent.atomic.AtomicInteger sdkClientsBuilt = new java.util.concurrent.atomic.AtomicInteger();
    /** The one URL-connection client of every SDK client built here (few requests: set-up, listings); built on first use. */
    private SdkHttpClient http;

    public AwsClients(AwsSettings settings) {
        this(settings, () -> new AwsWire(settings.timeouts().connect()));
    }

    private AwsClients(AwsSettings settings, Supplier<AwsJsonTransport.Wire> wires) {
        this.settings = settings;
        this.wires = wires;
    }

    /**
     * Connections as the SDK's URL-connection client opens them, minus its eager TLS set-up: that client builds an
     * {@code SSLContext} (reading the JDK's trust store, ~100 ms of a cold start) before its first request even when
     * every endpoint is plain http. Here an https connection uses the JDK's default TLS context, built on its first use
     * (and before a SnapStart snapshot by {@link #prepareTls()}). Bodies are buffered, never streamed
     * ({@link BufferedBodyConnection}), which spares each request on a pooled connection the JDK's 1 ms probe.
     */
    private HttpURLConnection openConnection(URI uri) {
        try {
            HttpURLConnection connection = new BufferedBodyConnection((HttpURLConnection) uri.toURL().openConnection());
            connection.setConnectTimeout((int) settings.timeouts().connect().toMillis());
            // a read may last a whole long poll; every other call is cut off sooner by its attempt timeout
            connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
            return connection;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Builds the JDK's default TLS context now, which every https connection of these clients (and of the Lambdas'
     * Calls API client) uses: for SnapStart priming, so a restored snapshot does not build it on its first request.
     */
    public static void prepareTls() {
        HttpsURLConnection.getDefaultSSLSocketFactory();
    }

    /**
     * Clients that never touch the network (every DynamoDB call succeeds empty, every SQS send is taken): for
     * SnapStart priming of the real code path before a snapshot. Nothing else may use them.
     */
    public static AwsClients offline() {
        java.net.URI nowhere = java.net.URI.create("http://offline.invalid");
        return new AwsClients(AwsSettings.local(nowhere, nowhere), OfflineWire::new);
    }

    /** A DynamoDB client; close it to release its connections. */
    public DynamoDbClient dynamo() {
        URI endpoint = settings.dynamoEndpoint()
                .orElseGet(() -> AwsJsonTransport.regionalEndpoint("dynamodb", settings.region()));
        return LeanDynamoDb.client(LeanDynamoDb.transport(endpoint, settings.region(), credentials(),
                settings.timeouts(), wires.get()), this::sdkDynamo);
    }

    /** An SQS client; close it to release its connections. */
    public SqsClient sqs() {
        URI endpoint = settings.sqsEndpoint().orElseGet(() -> AwsJsonTransport.regionalEndpoint("sqs", settings.region()));
        return LeanSqs.client(LeanSqs.transport(endpoint, settings.region(), credentials(), settings.timeouts(),
                wires.get()), this::sdkSqs);
    }

    /** The SDK's own client, which the lean one hands what it does not send itself (package-private for tests). */
    DynamoDbClient sdkDynamo() {
        var builder = configure(DynamoDbClient.builder());
        settings.dynamoEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** The SDK's own client, which the lean one hands what it does not send itself (package-private for tests). */
    SqsClient sdkSqs() {
        var builder = configure(SqsClient.builder());
        settings.sqsEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    public SecretsManagerClient secrets() {
        return configure(SecretsManagerClient.builder()).build();
    }

    /** The SDK clients built so far (a test's check that an operation stayed on the lean path). */
    int sdkClientsBuilt() {
        return sdkClientsBuilt.get();
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        sdkClientsBuilt.incrementAndGet();
        synchronized (this) {
            if (http == null) {
                http = UrlConnectionHttpClient.create(this::openConnection);
            }
        }
        builder.httpClient(http)
                .region(Region.of(settings.region()))
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
