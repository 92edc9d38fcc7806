package ai.phoneagent.localaws;

import ai.phoneagent.aws.AwsSettings;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * Real SQS (ElasticMQ) and DynamoDB (DynamoDB Local) engines in this JVM, reached over HTTP on loopback by the
 * ordinary AWS SDK clients. Used by the local stack and by integration tests.
 */
public final class LocalAws implements AutoCloseable {
    private final SQSRestServer sqs;
    private final DynamoDBProxyServer dynamo;
    private final URI sqsEndpoint;
    private final URI dynamoEndpoint;

    private LocalAws(SQSRestServer sqs, DynamoDBProxyServer dynamo, URI sqsEndpoint, URI dynamoEndpoint) {
        this.sqs = sqs;
        this.dynamo = dynamo;
        this.sqsEndpoint = sqsEndpoint;
        this.dynamoEndpoint = dynamoEndpoint;
    }

    /** Starts both engines on free loopback ports, in memory. */
    public static LocalAws start() {
        SQSRestServer sqs = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        int sqsPort = sqs.waitUntilStarted().localAddress().getPort();
        URI sqsEndpoint = URI.create("http://127.0.0.1:" + sqsPort);
        int dynamoPort = freePort();
        DynamoDBProxyServer dynamo;
        try {
            // DynamoDB Local listens on every interface; only loopback clients are ever pointed at it.
            dynamo = ServerRunner.createServerFromCommandLineArgs(
                    new String[] {"-inMemory", "-port", Integer.toString(dynamoPort), "-disableTelemetry"});
            dynamo.start();
        } catch (Exception e) {
            sqs.stopAndWait();
            throw new IllegalStateException("DynamoDB Local did not start", e);
        }
        return new LocalAws(sqs, dynamo, sqsEndpoint, URI.create("http://127.0.0.1:" + dynamoPort));
    }

    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    public URI dynamoEndpoint() {
        return dynamoEndpoint;
    }

    /** Client settings that reach these engines. */
    public AwsSettings settings() {
        return AwsSettings.local(sqsEndpoint, dynamoEndpoint);
    }

    /** A loopback port that was free a moment ago (for servers that cannot bind port 0 themselves). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            dynamo.stop();
        } catch (Exception ignored) {
            // shutting down anyway
        }
        sqs.stopAndWait();
    }
}
