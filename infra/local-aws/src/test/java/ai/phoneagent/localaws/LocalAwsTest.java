package ai.phoneagent.localaws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The embedded engines answer the AWS SDK on loopback and nowhere else. */
class LocalAwsTest {
    private static LocalAws engines;

    @BeforeAll
    static void start() {
        engines = LocalAws.start();
    }

    @AfterAll
    static void stop() {
        engines.close();
    }

    @Test
    void bothEnginesAnswerTheSdkOnLoopback() {
        assertThat(engines.sqsEndpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(engines.dynamoEndpoint().getHost()).isEqualTo("127.0.0.1");
        var clients = new ai.phoneagent.aws.AwsClients(engines.settings());
        DynamoDbClient dynamo = clients.dynamo();
        SqsClient sqs = clients.sqs();
        LocalResources.createTable(dynamo, "calls");
        assertThat(dynamo.listTables().tableNames()).contains("calls");
        assertThat(LocalResources.createCallsQueue(sqs, "calls", 30)).endsWith("/calls");
    }

    @Test
    void dynamoDbLocalDoesNotListenOnTheMachinesNetworkAddress() throws IOException {
        Optional<InetAddress> external = nonLoopbackAddress();
        assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");

        assertThat(connects(InetAddress.getLoopbackAddress(), engines.dynamoEndpoint())).isTrue();
        assertThatThrownBy(() -> connectOrThrow(external.get(), engines.dynamoEndpoint()))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> connectOrThrow(external.get(), engines.sqsEndpoint()))
                .isInstanceOf(IOException.class);
    }

    private static boolean connects(InetAddress address, URI endpoint) throws IOException {
        connectOrThrow(address, endpoint);
        return true;
    }

    private static void connectOrThrow(InetAddress address, URI endpoint) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, endpoint.getPort()), 2000);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (SocketException e) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
    }
}
