package ai.phoneagent.simulator.twilio;

import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.routing.HttpRoutePlanner;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.protocol.HttpContext;

/** Sends every request to one plain-http loopback host, whatever URL it was made for (e.g. api.twilio.com). */
final class LoopbackRoutePlanner implements HttpRoutePlanner {
    private final HttpRoute route;

    LoopbackRoutePlanner(int port) {
        this.route = new HttpRoute(new HttpHost("http", "127.0.0.1", port));
    }

    @Override
    public HttpRoute determineRoute(HttpHost target, HttpContext context) {
        return route;
    }
}
