package ai.phoneagent.simulator.discord;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.Deadline;
import ai.phoneagent.simulator.SimulatorTimeoutException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A fake Discord webhook endpoint on loopback: {@code POST /api/webhooks/{id}/{token}} (also {@code /api/v10/…}),
 * recording accepted JSON bodies in arrival order. Scriptable: 429 with {@code retry_after} for the next N
 * requests, 5xx, delays, or down altogether (connection refused). Rejects {@code content} over 2000 characters.
 */
public final class FakeDiscord implements AutoCloseable {
    /** Discord's limit on a message's {@code content}. */
    public static final int MAX_CONTENT = 2000;
    private static final Pattern EXECUTE = Pattern.compile("/api(?:/v\\d+)?/webhooks/(\\d+)/([A-Za-z0-9_\\-.]+)");

    private sealed interface Planned {
        record RateLimited(Duration retryAfter, boolean global) implements Planned {
        }

        record Failure(int status) implements Planned {
        }

        record Delayed(Duration delay) implements Planned {
        }
    }

    private final Clock clock;
    private final Deque<Planned> plan = new ArrayDeque<>();
    private final List<DiscordMessage> messages = new ArrayList<>();
    private final List<DiscordRequest> requests = new ArrayList<>();
    private final Object monitor = new Object();
    private final int port;
    private MockWebServer server;

    private FakeDiscord(int port, Clock clock) {
        this.clock = clock;
        this.server = startServer(port);
        this.port = server.getPort();
    }

    /** Starts on an ephemeral loopback port. */
    public static FakeDiscord start() {
        return start(0, Clock.systemUTC());
    }

    public static FakeDiscord start(int port, Clock clock) {
        return new FakeDiscord(port, clock);
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A webhook URL on this fake, as {@code DISCORD_WEBHOOK_URL}. */
    public String webhookUrl() {
        return webhookUrl("112233445566778899", "fake-webhook-token");
    }

    public String webhookUrl(String webhookId, String token) {
        return baseUrl() + "/api/webhooks/" + webhookId + "/" + token;
    }

    /** Answers the next {@code count} requests 429 with {@code retry_after} (body, seconds, fractional) and {@code Retry-After}. */
    public void rateLimitNext(int count, Duration retryAfter) {
        enqueue(count, new Planned.RateLimited(retryAfter, false));
    }

    /** Answers the next {@code count} requests with this 5xx (or any) status. */
    public void failNext(int count, int status) {
        enqueue(count, new Planned.Failure(status));
    }

    /** Answers the next {@code count} requests normally, but only after {@code delay}. */
    public void delayNext(int count, Duration delay) {
        enqueue(count, new Planned.Delayed(delay));
    }

    /** Stops listening: connections are refused until {@link #comeBack()}. */
    public void goDown() {
        synchronized (monitor) {
            if (server != null) {
                server.close();
                server = null;
            }
        }
    }

    /** Listens again on the same port. */
    public void comeBack() {
        synchronized (monitor) {
            if (server == null) {
                server = startServer(port);
            }
        }
    }

    /** Accepted messages, in arrival order. */
    public List<DiscordMessage> messages() {
        synchronized (monitor) {
            return List.copyOf(messages);
        }
    }

    /** Every request, including refused and rate-limited ones, in arrival order. */
    public List<DiscordRequest> requests() {
        synchronized (monitor) {
            return List.copyOf(requests);
        }
    }

    /** Waits until at least {@code count} messages were accepted; returns them all. */
    public List<DiscordMessage> awaitMessages(int count, Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        synchronized (monitor) {
            try {
                while (messages.size() < count) {
                    if (!deadline.waitOn(monitor)) {
                        throw new SimulatorTimeoutException("fake Discord got " + messages.size() + " of " + count
                                + " messages within " + timeout.toMillis() + " ms");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SimulatorTimeoutException("interrupted");
            }
            return List.copyOf(messages);
        }
    }

    /** Waits until at least {@code count} requests arrived (whatever they were answered). */
    public List<DiscordRequest> awaitRequests(int count, Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        synchronized (monitor) {
            try {
                while (requests.size() < count) {
                    if (!deadline.waitOn(monitor)) {
                        throw new SimulatorTimeoutException("fake Discord got " + requests.size() + " of " + count
                                + " requests within " + timeout.toMillis() + " ms");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SimulatorTimeoutException("interrupted");
            }
            return List.copyOf(requests);
        }
    }

    @Override
    public void close() {
        goDown();
    }

    @Override
    public String toString() {
        return "FakeDiscord[" + baseUrl() + "]";
    }

    private void enqueue(int count, Planned planned) {
        synchronized (monitor) {
            for (int i = 0; i < count; i++) {
                plan.add(planned);
            }
        }
    }

    private MockWebServer startServer(int onPort) {
        MockWebServer mock = new MockWebServer();
        mock.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
        try {
            mock.start(InetAddress.getByName("127.0.0.1"), onPort);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the fake Discord", e);
        }
        return mock;
    }

    private MockResponse answer(RecordedRequest request) {
        Matcher matcher = EXECUTE.matcher(request.getUrl().encodedPath());
        String webhookId = matcher.matches() ? matcher.group(1) : null;
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        if (webhookId == null) {
            return record(request, null, body, error(404, "404: Not Found", 0));
        }
        if (!request.getMethod().equals("POST")) {
            return record(request, webhookId, body, error(405, "405: Method Not Allowed", 0));
        }
        Planned planned;
        synchronized (monitor) {
            planned = plan.poll();
        }
        return switch (planned) {
            case Planned.RateLimited limited -> record(request, webhookId, body, rateLimited(limited));
            case Planned.Failure(int status) -> record(request, webhookId, body,
                    error(status, status >= 500 ? "500: Internal Server Error" : "Error", 0));
            case Planned.Delayed(Duration delay) -> accept(request, webhookId, body).newBuilder()
                    .headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS).build();
            case null -> accept(request, webhookId, body);
        };
    }

    private MockResponse accept(RecordedRequest request, String webhookId, String body) {
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (JsonProcessingException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return record(request, webhookId, body, error(400, "The request body contains invalid JSON.", 50109));
        }
        JsonNode content = json.get("content");
        boolean hasContent = content != null && content.isTextual() && !content.asText().isEmpty();
        boolean hasEmbeds = json.path("embeds").isArray() && !json.path("embeds").isEmpty();
        if (hasContent && content.asText().codePointCount(0, content.asText().length()) > MAX_CONTENT) {
            ObjectNode errors = Json.object();
            errors.putObject("content").putArray("_errors").addObject()
                    .put("code", "BASE_TYPE_MAX_LENGTH")
                    .put("message", "Must be " + MAX_CONTENT + " or fewer in length.");
            ObjectNode bodyOut = Json.object();
            bodyOut.put("message", "Invalid Form Body");
            bodyOut.put("code", 50035);
            bodyOut.set("errors", errors);
            return record(request, webhookId, body, json(400, bodyOut));
        }
        if (!hasContent && !hasEmbeds) {
            return record(request, webhookId, body, error(400, "Cannot send an empty message", 50006));
        }
        boolean wait = "true".equals(request.getUrl().queryParameter("wait"));
        MockResponse response;
        if (wait) {
            ObjectNode message = Json.object();
            message.put("id", Long.toString(System.nanoTime()));
            message.put("type", 0);
            message.put("channel_id", "998877665544332211");
            message.put("webhook_id", webhookId);
            message.put("content", hasContent ? content.asText() : "");
            message.put("timestamp", clock.instant().toString());
            response = json(200, message);
        } else {
            response = new MockResponse.Builder().code(204).build();
        }
        synchronized (monitor) {
            messages.add(new DiscordMessage(webhookId, json, clock.instant()));
        }
        return record(request, webhookId, body, response);
    }

    private MockResponse record(RecordedRequest request, String webhookId, String body, MockResponse response) {
        synchronized (monitor) {
            requests.add(new DiscordRequest(request.getMethod(), webhookId, body, clock.instant(), response.getCode()));
            monitor.notifyAll();
        }
        return response;
    }

    private static MockResponse rateLimited(Planned.RateLimited limited) {
        double seconds = limited.retryAfter().toMillis() / 1000.0;
        ObjectNode body = Json.object();
        body.put("message", "You are being rate limited.");
        body.put("retry_after", seconds);
        body.put("global", limited.global());
        return json(429, body).newBuilder()
                .setHeader("Retry-After", Long.toString((long) Math.ceil(seconds)))
                .setHeader("X-RateLimit-Limit", "5")
                .setHeader("X-RateLimit-Remaining", "0")
                .setHeader("X-RateLimit-Reset-After", Double.toString(seconds))
                .setHeader("X-RateLimit-Bucket", "fake-bucket")
                .setHeader("X-RateLimit-Scope", "shared")
                .build();
    }

    private static MockResponse error(int status, String message, int code) {
        ObjectNode body = Json.object();
        body.put("message", message);
        body.put("code", code);
        return json(status, body);
    }

    private static MockResponse json(int status, JsonNode body) {
        return new MockResponse.Builder().code(status)
                .setHeader("Content-Type", "application/json")
                .body(Json.write(body))
                .build();
    }
}
