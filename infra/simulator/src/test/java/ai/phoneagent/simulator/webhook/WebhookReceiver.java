package ai.phoneagent.simulator.webhook;

import ai.phoneagent.webhook.Verification;
import ai.phoneagent.webhook.WebhookSecret;
import ai.phoneagent.webhook.WebhookVerifier;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** A webhook endpoint for tests: verifies each delivery with shared's verifier, answers scripted statuses. */
final class WebhookReceiver implements AutoCloseable {
    record Delivery(Map<String, String> headers, byte[] body, Verification verification) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final MockWebServer server = new MockWebServer();
    private final WebhookVerifier verifier;
    private final Deque<MockResponse> answers = new ArrayDeque<>();
    private final List<Delivery> deliveries = new ArrayList<>();

    WebhookReceiver(String secret) throws IOException {
        this.verifier = new WebhookVerifier(WebhookSecret.of(secret), Clock.systemUTC());
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Map<String, String> headers = new HashMap<>();
                request.getHeaders().names().forEach(n -> headers.put(n, request.getHeaders().get(n)));
                byte[] body = request.getBody().toByteArray();
                Verification verification = verifier.verify(headers, body);
                synchronized (deliveries) {
                    deliveries.add(new Delivery(headers, body, verification));
                    MockResponse next = answers.poll();
                    if (next != null) {
                        return next;
                    }
                }
                return new MockResponse.Builder().code(verification instanceof Verification.Valid ? 200 : 401).build();
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    void answer(int... statuses) {
        synchronized (deliveries) {
            for (int status : statuses) {
                answers.add(new MockResponse.Builder().code(status).build());
            }
        }
    }

    void answerSlowly(Duration delay) {
        synchronized (deliveries) {
            answers.add(new MockResponse.Builder().code(200).headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS).build());
        }
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getPort() + "/openai/webhook");
    }

    List<Delivery> deliveries() {
        synchronized (deliveries) {
            return List.copyOf(deliveries);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
