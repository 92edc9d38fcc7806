package ai.phoneagent.worker.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of another server whose open connections can go silent on demand: bytes are
 * swallowed in both directions while the sockets stay open (no FIN, no RST), as a dead NAT or a frozen peer behaves.
 * Connections made afterwards are forwarded normally.
 */
final class SilentProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();

    private SilentProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("silent-proxy").start(this::accept);
    }

    static SilentProxy to(int targetPort) {
        try {
            return new SilentProxy(targetPort);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every connection open now stops carrying bytes, without closing. */
    void silenceOpenConnections() {
        links.forEach(l -> l.silent = true);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                Link link = new Link(client, upstream);
                links.add(link);
                Thread.ofVirtual().start(() -> pump(link, client, upstream));
                Thread.ofVirtual().start(() -> pump(link, upstream, client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(Link link, Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!link.silent) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            if (!link.silent) {
                to.shutdownOutput();
            }
        } catch (IOException e) {
            // one side went away
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Link link : links) {
            link.close();
        }
    }

    private static final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean silent;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void close() {
            try {
                client.close();
                upstream.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
