package ai.phoneagent.simulator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.function.Consumer;
import javax.net.ServerSocketFactory;

/**
 * Server sockets that outlast running out of file descriptors. MockWebServer stops accepting for good on the first
 * failed {@code accept()}; when the process has as many sockets open as its limit allows ("Too many open files"),
 * that would silently leave the simulator deaf to every later call. These sockets instead say so (at most once a
 * second: what is open, the limit, what to do) and keep accepting as soon as a descriptor is free again; new
 * connections wait in the listen backlog meanwhile.
 */
final class PatientServerSocketFactory extends ServerSocketFactory {
    private final Consumer<String> warn;

    PatientServerSocketFactory(Consumer<String> warn) {
        this.warn = warn;
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new PatientServerSocket(warn);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return bound(new PatientServerSocket(warn), new java.net.InetSocketAddress(port), 50);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return bound(new PatientServerSocket(warn), new java.net.InetSocketAddress(port), backlog);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        return bound(new PatientServerSocket(warn), new java.net.InetSocketAddress(address, port), backlog);
    }

    private static ServerSocket bound(ServerSocket socket, java.net.InetSocketAddress address, int backlog)
            throws IOException {
        socket.bind(address, backlog);
        return socket;
    }

    static class PatientServerSocket extends ServerSocket {
        private static final long WARN_EVERY_NANOS = 1_000_000_000L;
        private static final long RETRY_MILLIS = 50;
        private final Consumer<String> warn;
        private long lastWarnNanos;
        private boolean warned;

        PatientServerSocket(Consumer<String> warn) throws IOException {
            this.warn = warn;
        }

        @Override
        public Socket accept() throws IOException {
            while (true) {
                try {
                    return acceptOnce();
                } catch (SocketException e) {
                    if (isClosed() || !outOfDescriptors(e)) {
                        throw e;
                    }
                    long now = System.nanoTime();
                    if (!warned || now - lastWarnNanos >= WARN_EVERY_NANOS) {
                        warned = true;
                        lastWarnNanos = now;
                        long pid = ProcessHandle.current().pid();
                        warn.accept("connector simulator is out of file descriptors (" + ProcessLimits.openFiles(pid)
                                + " open, limit " + ProcessLimits.openFilesLimit(pid).stream().mapToObj(Long::toString)
                                .findFirst().orElse("unknown") + "): new connections wait until sockets close."
                                + " Each live call holds one socket; raise the limit (ulimit -n) in the shell that"
                                + " starts the simulator.");
                    }
                    try {
                        Thread.sleep(RETRY_MILLIS); // a descriptor frees up only when some socket closes
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }

        /** One {@code accept()} of the plain server socket (tests make it fail). */
        Socket acceptOnce() throws IOException {
            return super.accept();
        }

        private static boolean outOfDescriptors(SocketException e) {
            String message = e.getMessage();
            return message != null && message.contains("Too many open files");
        }
    }
}
