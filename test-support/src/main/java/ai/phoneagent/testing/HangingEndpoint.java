package ai.phoneagent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback server that accepts every connection, reads nothing and never answers: a dependency that hangs (no
 * refusal, no reset). Point a client's endpoint at {@link #uri()} to prove its waits are bounded.
 */
public final class HangingEndpoint implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    private HangingEndpoint(ServerSocket server) {
        this.server = server;
        Thread.ofVirtual().name("hanging-endpoint").start(this::acceptForever);
    }

    public static HangingEndpoint start() {
        try {
            return new HangingEndpoint(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void acceptForever() {
        while (!server.isClosed()) {
            try {
                accepted.add(server.accept());
            } catch (IOException closed) {
                return;
            }
        }
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Connections accepted so far (proof the client really got through and then waited). */
    public int connections() {
        return accepted.size();
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
