package ai.phoneagent.localaws;

import ai.phoneagent.aws.AwsSettings;
import com.amazonaws.services.dynamodbv2.local.main.CommandLineInput;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import java.util.concurrent.TimeoutException;
import scala.concurrent.Await;
import scala.concurrent.duration.FiniteDuration;

/**
 * Real SQS (ElasticMQ) and DynamoDB (DynamoDB Local) engines in this JVM, reached over HTTP by the ordinary AWS SDK
 * clients. Both bind loopback unless a host is given. Used by the local stack, by integration tests, and (one
 * engine per process, see {@link LocalAwsMain}) by the chaos suite, which pauses each engine on its own.
 */
public final class LocalAws implements AutoCloseable {
    /** The loopback address every local listener binds by default. */
    public static final String LOOPBACK = "127.0.0.1";
    /** sqlite4java's logger: DynamoDB Local sets it to WARNING, which prints "unknown jar version" on every start. */
    private static final Logger SQLITE_LOG = Logger.getLogger("com.almworks.sqlite4java");
    /**
     * How long requests in flight get to finish when the engines stop. ElasticMQ's own stop gives them a minute, and a
     * long poll (up to 20 s) holds it that long; the queues live in this process's memory, so nothing a poll could
     * still return outlives the stop anyway.
     */
    private static final long SQS_STOP_GRACE_MS = 300;

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
        return start(LOOPBACK, 0, 0);
    }

    /** Starts both engines on {@code host} (ports 0: free ones), in memory, side by side (each takes seconds). */
    public static LocalAws start(String host, int sqsPort, int dynamoPort) {
        CompletableFuture<SQSRestServer> sqs = CompletableFuture.supplyAsync(() -> startSqs(host, sqsPort),
                runnable -> Thread.ofVirtual().name("sqs-start").start(runnable));
        int bound = dynamoPort == 0 ? freePort(host) : dynamoPort;
        DynamoDBProxyServer dynamo;
        try {
            dynamo = startDynamo(host, bound);
        } catch (RuntimeException e) {
            sqs.thenAccept(SQSRestServer::stopAndWait);
            throw e;
        }
        try {
            SQSRestServer started = sqs.join();
            return new LocalAws(started, dynamo, endpoint(host, started), endpoint(host, bound));
        } catch (RuntimeException e) {
            stopQuietly(dynamo);
            throw e;
        }
    }

    /** Only the SQS engine (for a process of its own). */
    public static LocalAws startSqsOnly(String host, int port) {
        SQSRestServer sqs = startSqs(host, port);
        return new LocalAws(sqs, null, endpoint(host, sqs), null);
    }

    /** Only the DynamoDB engine (for a process of its own). */
    public static LocalAws startDynamoOnly(String host, int port) {
        int bound = port == 0 ? freePort(host) : port;
        return new LocalAws(null, startDynamo(host, bound), null, endpoint(host, bound));
    }

    private static SQSRestServer startSqs(String host, int port) {
        var builder = SQSRestServerBuilder.withInterface(host);
        return (port == 0 ? builder.withDynamicPort() : builder.withPort(port)).start();
    }

    private static URI endpoint(String host, SQSRestServer sqs) {
        return endpoint(host, sqs.waitUntilStarted().localAddress().getPort());
    }

    private static URI endpoint(String host, int port) {
        String reachable = host.equals("0.0.0.0") || host.equals("::") ? LOOPBACK : host;
        return URI.create("http://" + (reachable.contains(":") ? "[" + reachable + "]" : reachable) + ":" + port);
    }

    /**
     * DynamoDB Local on {@code host}: its command line has no bind address (it listens on every interface), so its
     * Jetty connector is given the host before it starts. {@code createServer} (not {@code …FromCommandLineArgs})
     * prints no configuration banner.
     */
    private static DynamoDBProxyServer startDynamo(String host, int bound) {
        DynamoDBProxyServer dynamo;
        try {
            CommandLineInput input = new CommandLineInput(
                    new String[] {"-inMemory", "-port", Integer.toString(bound), "-disableTelemetry"});
            if (!input.init()) {
                throw new IllegalStateException("DynamoDB Local refused its options");
            }
            Class.forName(ServerRunner.class.getName(), true, ServerRunner.class.getClassLoader());
            SQLITE_LOG.setLevel(Level.SEVERE); // after DynamoDB Local's own class set it to WARNING
            dynamo = ServerRunner.createServer(input);
            SQLITE_LOG.setLevel(Level.SEVERE);
            for (Connector connector : jetty(dynamo).getConnectors()) {
                if (connector instanceof ServerConnector serverConnector) {
                    serverConnector.setHost(host);
                }
            }
            dynamo.start();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start on " + host + ":" + bound + ": " + e.getMessage(), e);
        }
        return dynamo;
    }

    private static Server jetty(DynamoDBProxyServer dynamo) throws ReflectiveOperationException {
        Field server = DynamoDBProxyServer.class.getDeclaredField("server");
        server.setAccessible(true);
        return (Server) server.get(dynamo);
    }

    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    public URI dynamoEndpoint() {
        return dynamoEndpoint;
    }

    /** Client settings that reach these engines (both must run here). */
    public AwsSettings settings() {
        return AwsSettings.local(sqsEndpoint, dynamoEndpoint);
    }

    /** A loopback port that was free a moment ago (for servers that cannot bind port 0 themselves). */
    public static int freePort() {
        return freePort(LOOPBACK);
    }

    /** A port on {@code host} that was free a moment ago. */
    public static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 1);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void stopQuietly(DynamoDBProxyServer dynamo) {
        try {
            dynamo.stop();
        } catch (Exception ignored) {
            // shutting down anyway
        }
    }

    @Override
    public void close() {
        if (dynamo != null) {
            stopQuietly(dynamo);
        }
        if (sqs != null) {
            stopSqs(sqs);
        }
    }

    /**
     * Stops ElasticMQ within about a second: its own {@code stopAndWait} waits up to a minute for requests in flight,
     * and a long poll holds it for the poll's whole wait (20 s). Requests still running after the grace are cut off;
     * its actor system is left to finish terminating in the background.
     */
    private static void stopSqs(SQSRestServer sqs) {
        FiniteDuration grace = FiniteDuration.apply(SQS_STOP_GRACE_MS, TimeUnit.MILLISECONDS);
        try {
            Await.ready(sqs.waitUntilStarted().terminate(grace), grace.plus(grace).plus(grace));
        } catch (TimeoutException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // cut off anyway below
        }
        try {
            Await.ready(sqs.stopAndGetFuture().apply(), grace.plus(grace).plus(grace));
        } catch (TimeoutException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
