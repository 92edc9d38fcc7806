package ai.phoneagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The simulator's listening socket keeps accepting after running out of file descriptors, and says why it waited. */
class PatientServerSocketFactoryTest {
    /** Fails its first {@code failures} accepts as a process at its open-file limit does. */
    private static final class ExhaustedSocket extends PatientServerSocketFactory.PatientServerSocket {
        private final AtomicInteger failures;
        private final String message;

        ExhaustedSocket(List<String> warnings, int failures, String message) throws IOException {
            super(warnings::add);
            this.failures = new AtomicInteger(failures);
            this.message = message;
        }

        @Override
        Socket acceptOnce() throws IOException {
            if (failures.getAndDecrement() > 0) {
                throw new SocketException(message);
            }
            return super.acceptOnce();
        }
    }

    @Test
    void acceptingGoesOnOnceADescriptorIsFreeAndTheWaitIsExplained() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (ExhaustedSocket server = new ExhaustedSocket(warnings, 3, "Too many open files")) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket accepted = server.accept()) {
                assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
            }
        }
        assertThat(warnings).as("said once, not once per retry").hasSize(1);
        assertThat(warnings.getFirst()).contains("out of file descriptors").contains("limit").contains("ulimit -n");
    }

    @Test
    void otherAcceptFailuresAreNotRetried() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (ExhaustedSocket server = new ExhaustedSocket(warnings, 1, "Connection reset")) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            assertThatThrownBy(server::accept).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        }
        assertThat(warnings).isEmpty();
    }
}
