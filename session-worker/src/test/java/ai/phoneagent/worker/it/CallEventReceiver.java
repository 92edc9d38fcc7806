package ai.phoneagent.worker.it;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A user's backend as a real HTTP server (the JDK's) that checks every request's Standard Webhooks signature with
 * its own implementation of the spec, written apart from the product's {@code WebhookSignatures}.
 */
final class CallEventReceiver implements AutoCloseable {
    /** One request as received, with whether its signature verified and what the receiver answered. */
    record Delivery(String webhookId, String type, String callId, JsonNode body, boolean verified, int answered) {
    }

    private final String secret;
    private final AtomicInteger status = new AtomicInteger(200);
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private HttpServer server;

    private CallEventReceiver(String secret) {
        this.secret = secret;
    }

    /** A receiver listening now. */
    static CallEventReceiver start(String secret) {
        CallEventReceiver receiver = new CallEventReceiver(secret);
        receiver.listen(0);
        return receiver;
    }

    private void listen(int at) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), at), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hooks/calls", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Headers h = exchange.getRequestHeaders();
            boolean verified = verify(secret, h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
                    h.getFirst("webhook-signature"), body, System.currentTimeMillis() / 1000, 300);
            JsonNode json;
            try {
                json = Json.parse(new String(body, StandardCharsets.UTF_8));
            } catch (IOException e) {
                json = Json.object();
            }
            int answer = status.get();
            deliveries.add(new Delivery(h.getFirst("webhook-id"), json.path("type").asText(),
                    json.path("data").path("call_id").asText(), json, verified, answer));
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/calls";
    }

    void answer(int code) {
        status.set(code);
    }

    List<Delivery> deliveries(String callId) {
        return deliveries.stream().filter(d -> d.callId().equals(callId)).toList();
    }

    /** Deliveries of the call this receiver accepted (2xx) with a good signature, by type. */
    List<Delivery> accepted(String callId, String type) {
        return deliveries(callId).stream().filter(d -> d.type().equals(type) && d.answered() < 300 && d.verified()).toList();
    }

    /**
     * Standard Webhooks verification from the spec: the key is the base64 after {@code whsec_}; the signed content
     * is {@code id.timestamp.body}; the header holds space-separated {@code v1,<base64 HMAC-SHA256>} entries, any of
     * which may match (compared in constant time); the timestamp must be within {@code toleranceSeconds} of now.
     */
    static boolean verify(String secret, String id, String timestamp, String signatures, byte[] body, long nowSeconds,
                          long toleranceSeconds) {
        if (id == null || timestamp == null || signatures == null) {
            return false;
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(nowSeconds - ts) > toleranceSeconds) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            byte[] expected = mac.doFinal((id + "." + timestamp + "." + new String(body, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8));
            for (String entry : signatures.split(" ")) {
                String[] parts = entry.split(",", 2);
                if (parts.length == 2 && parts[0].equals("v1")
                        && MessageDigest.isEqual(Base64.getDecoder().decode(parts[1]), expected)) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
