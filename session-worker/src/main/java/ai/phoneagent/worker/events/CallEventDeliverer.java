package ai.phoneagent.worker.events;

import ai.phoneagent.call.CallStore;
import ai.phoneagent.callevents.CallEventMessage;
import ai.phoneagent.callevents.CallEventsQueue;
import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.logging.LogContext;
import ai.phoneagent.logging.TraceParent;
import ai.phoneagent.metrics.Dimension;
import ai.phoneagent.metrics.EmfWriter;
import ai.phoneagent.metrics.Measurement;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.metrics.MetricRecorder;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.queue.CallsQueue;
import ai.phoneagent.queue.InvalidMessageException;
import ai.phoneagent.webhook.WebhookSecret;
import ai.phoneagent.webhook.WebhookSignatures;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Posts queued call events to {@code CALL_EVENTS_URL}, signed as Standard Webhooks (as OpenAI signs its own): one
 * virtual thread long-polls the call-events queue; each message is posted with a bounded timeout. A 2xx deletes it;
 * a 4xx other than 408/429 deletes it and records {@code call_event_delivery_failed}; anything else (5xx, 408, 429,
 * no answer) leaves it on the queue, hidden for an exponentially growing pause, until {@code CALL_EVENTS_MAX_AGE_MS}
 * after it was enqueued. The queue holds the state, so retries survive restarts; the webhook-id never changes.
 */
public final class CallEventDeliverer implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.forComponent("call-events");
    private static final MetricRecorder METRICS = EmfWriter.toLogStream();
    private static final MediaType JSON = MediaType.get("application/json");

    private final CallEventsQueue queue;
    private final CallEventPayloads payloads;
    private final CallStore store;
    private final OkHttpClient http;
    private final URI url;
    private final WebhookSecret secret;
    private final CallEventsSettings settings;
    private final RetryPolicy backoff;
    private final Clock clock;
    private volatile boolean stopping;
    private Thread loop;

    public CallEventDeliverer(CallEventsQueue queue, CallEventPayloads payloads, CallStore store, OkHttpClient http,
                              CallEventsSettings settings, Clock clock) {
        this.queue = queue;
        this.store = store;
        this.payloads = payloads;
        this.http = http.newBuilder().callTimeout(settings.timeout()).connectTimeout(settings.timeout())
                .readTimeout(settings.timeout()).followRedirects(false).build();
        this.url = settings.url().orElseThrow();
        this.secret = settings.secret().orElseThrow();
        this.settings = settings;
        this.backoff = new RetryPolicy(settings.maxAge(), settings.retryBase(), settings.retryMax(), RandomGenerator.getDefault());
        this.clock = clock;
    }

    public CallEventDeliverer start() {
        loop = Thread.ofVirtual().name("call-events-deliverer").start(this::run);
        return this;
    }

    private void run() {
        int failures = 0;
        while (!stopping) {
            List<CallsQueue.Received> batch;
            try {
                batch = queue.receive(10, settings.waitSeconds());
                failures = 0;
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                LOG.warn("call-events queue receive failed", Map.of("error", JsonLog.describe(e)));
                if (!pause(backoff.delayBefore(Math.min(++failures, 6)).plusMillis(100))) {
                    return;
                }
                continue;
            }
            List<Thread> posts = new ArrayList<>();
            for (CallsQueue.Received received : batch) {
                posts.add(Thread.ofVirtual().name("call-event-post").start(() -> LogContext.request().run(() -> handle(received))));
            }
            for (Thread post : posts) {
                try {
                    post.join();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void handle(CallsQueue.Received received) {
        CallEventMessage message;
        try {
            message = CallEventMessage.parse(received.body());
        } catch (InvalidMessageException e) {
            LOG.warn("bad call-events message dropped", Map.of("message_id", received.messageId(), "why", e.getMessage()));
            deleteQuietly(received);
            return;
        }
        LogContext.identify(message.callId(), null); // the trace comes with the call's item (CallEventPayloads)
        try {
            deliver(message, received);
        } catch (RuntimeException e) {
            // the store or the queue failed: the message reappears after its visibility timeout
            LOG.warn("call event delivery interrupted; it is retried", Map.of("call_id", message.callId(),
                    "event_id", message.eventId(), "error", JsonLog.describe(e)));
        }
    }

    private void deliver(CallEventMessage message, CallsQueue.Received received) {
        CallEventPayloads.Outcome outcome = payloads.build(message);
        switch (outcome) {
            case CallEventPayloads.Outcome.Gone g -> {
                LOG.warn("call event dropped", Map.of("call_id", message.callId(), "event_id", message.eventId(), "why", g.why()));
                queue.delete(received.receiptHandle());
            }
            case CallEventPayloads.Outcome.NotYet n when n.recheckIn() != null
                    && clock.millis() - message.enqueuedAt() < settings.maxAge().toMillis() -> {
                int seconds = (int) Math.clamp(n.recheckIn().toSeconds(), 1, 43_200);
                queue.retryLater(received.receiptHandle(), seconds);
            }
            case CallEventPayloads.Outcome.NotYet n -> retryOrGiveUp(message, received, 0, n.why());
            case CallEventPayloads.Outcome.Ready r -> post(message, received, r.body());
        }
    }

    private void post(CallEventMessage message, CallsQueue.Received received, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        Request.Builder request = new Request.Builder().url(url.toString())
                .header("webhook-id", message.eventId())
                .header("webhook-timestamp", timestamp)
                .header("webhook-signature", WebhookSignatures.sign(secret, message.eventId(), timestamp, bytes))
                .header("user-agent", "phone-agent-call-events/1")
                .post(RequestBody.create(bytes, JSON));
        // the call's trace, so the receiver's lines can join ours (calls recorded before trace ids have none)
        LogContext.current().flatMap(LogContext::traceparent).ifPresent(header -> request.header(TraceParent.HEADER, header));
        int status;
        try (Response response = http.newCall(request.build()).execute()) {
            status = response.code();
        } catch (IOException e) {
            retryOrGiveUp(message, received, 0, "no_answer: " + e.getClass().getSimpleName());
            return;
        }
        if (status >= 200 && status < 300) {
            queue.delete(received.receiptHandle());
            record(message, CallEventPayloads.DELIVERED_KIND, Json.object().put("status", status)
                    .put("attempts", received.receiveCount()));
            METRICS.record(Measurement.one(Metric.CALL_EVENT_DELIVERIES).with(Dimension.EVENT_TYPE, message.type().wireName())
                    .property("call_id", message.callId()));
            LOG.info("call event delivered", Map.of("call_id", message.callId(), "type", message.type().wireName(),
                    "event_id", message.eventId(), "status", status, "attempts", received.receiveCount()));
        } else if (status >= 400 && status < 500 && status != 408 && status != 429) {
            queue.delete(received.receiptHandle());
            giveUp(message, received, status, "rejected");
        } else {
            retryOrGiveUp(message, received, status, "status_" + status);
        }
    }

    private void retryOrGiveUp(CallEventMessage message, CallsQueue.Received received, int status, String why) {
        Duration age = Duration.ofMillis(clock.millis() - message.enqueuedAt());
        if (age.compareTo(settings.maxAge()) >= 0) {
            queue.delete(received.receiptHandle());
            giveUp(message, received, status, "max_age");
            return;
        }
        long pause = Math.max(settings.retryBase().toSeconds(), backoff.delayBefore(received.receiveCount()).toSeconds());
        int seconds = (int) Math.clamp(pause, 1, 43_200);
        queue.retryLater(received.receiptHandle(), seconds);
        LOG.info("call event delivery retried later", Map.of("call_id", message.callId(), "event_id", message.eventId(),
                "why", why, "attempt", received.receiveCount(), "retry_in_s", seconds));
    }

    private void giveUp(CallEventMessage message, CallsQueue.Received received, int status, String why) {
        record(message, CallEventPayloads.FAILED_KIND, Json.object().put("status", status).put("why", why)
                .put("attempts", received.receiveCount()));
        METRICS.record(Measurement.one(Metric.CALL_EVENT_FAILURES).with(Dimension.EVENT_TYPE, message.type().wireName())
                .with(Dimension.REASON, why).property("call_id", message.callId()));
        LOG.warn("call event not delivered", Map.of("call_id", message.callId(), "type", message.type().wireName(),
                "event_id", message.eventId(), "status", status, "why", why, "attempts", received.receiveCount()));
    }

    private void record(CallEventMessage message, String kind, ObjectNode details) {
        details.put("type", message.type().wireName()).put("event_id", message.eventId());
        try {
            store.appendEvent(message.callId(), kind, details, clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("delivery outcome not recorded", Map.of("call_id", message.callId(), "kind", kind,
                    "error", JsonLog.describe(e)));
        }
    }

    private void deleteQuietly(CallsQueue.Received received) {
        try {
            queue.delete(received.receiptHandle());
        } catch (RuntimeException e) {
            LOG.warn("call-events message not deleted", Map.of("error", JsonLog.describe(e)));
        }
    }

    private boolean pause(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops polling; a post in flight finishes within its timeout (or its message reappears later). */
    @Override
    public void close() {
        stopping = true;
        if (loop != null) {
            loop.interrupt();
        }
    }
}
