package ai.phoneagent.worker.discord;

import ai.phoneagent.json.Json;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.metrics.Dimension;
import ai.phoneagent.metrics.EmfWriter;
import ai.phoneagent.metrics.Measurement;
import ai.phoneagent.metrics.Metric;
import ai.phoneagent.metrics.MetricRecorder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Posts lines to a Discord webhook from one sender thread, in the order they were queued (so each call's lines
 * stay in order), from a bounded buffer: a slow or failing Discord costs memory up to the bound and never time
 * on the call's own path. Honours 429 {@code retry_after}, retries 5xx and I/O errors with backoff a bounded
 * number of times, and counts what it gives up on.
 */
public final class DiscordWebhookSink implements DiscordSink {
    private static final JsonLog LOG = JsonLog.forComponent("discord");
    private static final MetricRecorder METRICS = EmfWriter.toLogStream();
    private static final MediaType JSON = MediaType.get("application/json");
    private static final int MAX_RATE_LIMIT_WAITS = 20;
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private record Line(String callId, String content) {
    }

    private final OkHttpClient http;
    private final URI webhookUrl;
    private final int bufferLimit;
    private final int maxAttempts;
    private final Duration baseBackoff;
    private final ArrayDeque<Line> buffer = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong dropped = new AtomicLong();
    /** Drops not yet written as metrics, by reason (see {@link #reportDrops}). */
    private final java.util.concurrent.ConcurrentHashMap<String, LongAdder> unreportedDrops =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong delivered = new AtomicLong();
    private boolean inFlight;
    private boolean closed;
    private final Thread sender;

    public DiscordWebhookSink(OkHttpClient http, URI webhookUrl, int bufferLimit, int maxAttempts, Duration baseBackoff) {
        this.http = http.newBuilder().callTimeout(Duration.ofSeconds(10)).build();
        this.webhookUrl = webhookUrl;
        this.bufferLimit = bufferLimit;
        this.maxAttempts = maxAttempts;
        this.baseBackoff = baseBackoff;
        this.sender = Thread.ofVirtual().name("discord-sender").start(this::run);
    }

    /** A sink for the configured webhook, or {@link DiscordSink#none()} when there is none. */
    public static DiscordSink fromSettings(OkHttpClient http, DiscordSettings settings) {
        return settings.webhookUrl()
                .<DiscordSink>map(url -> new DiscordWebhookSink(http, url, settings.bufferLimit(), settings.maxAttempts(),
                        Duration.ofMillis(250)))
                .orElseGet(DiscordSink::none);
    }

    @Override
    public void post(String callId, String text) {
        if (text == null || text.isBlank()) {
            return;
        }
        var parts = DiscordText.split(text, DiscordText.MAX_CONTENT);
        lock.lock();
        try {
            if (closed) {
                drop(callId, parts.size(), "closed");
                return;
            }
            if (buffer.size() + parts.size() > bufferLimit) {
                drop(callId, parts.size(), "buffer_full");
                return;
            }
            parts.forEach(p -> buffer.addLast(new Line(callId, p)));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!buffer.isEmpty() || inFlight) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long dropped() {
        return dropped.get();
    }

    /** Lines delivered so far. */
    public long delivered() {
        return delivered.get();
    }

    @Override
    public void close() {
        int left;
        lock.lock();
        try {
            closed = true;
            left = buffer.size();
            buffer.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (left > 0) {
            dropped.addAndGet(left);
            unreportedDrops.computeIfAbsent("shutdown", k -> new LongAdder()).add(left);
            LOG.warn("discord lines dropped at shutdown", Map.of("dropped", left, "dropped_total", dropped.get()));
        }
        reportDrops();
        sender.interrupt();
    }

    /**
     * Writes the drops counted since the last report, by reason. Called from the sender thread and at close, never
     * from {@link #post}: a full buffer drops line after line under the lock, on the call's path.
     */
    private void reportDrops() {
        unreportedDrops.forEach((why, count) -> {
            long n = count.sumThenReset();
            if (n > 0) {
                METRICS.record(Measurement.of(Metric.DISCORD_DROPS, n).with(Dimension.REASON, why));
            }
        });
    }

    private void drop(String callId, int count, String why) {
        long total = dropped.addAndGet(count);
        unreportedDrops.computeIfAbsent(why, k -> new LongAdder()).add(count);
        // a full buffer drops many lines in a row; log the first and then every hundredth
        if (total - count == 0 || total / 100 != (total - count) / 100) {
            LOG.warn("discord line dropped", Map.of("call_id", callId, "why", why, "dropped_total", total));
        }
    }

    private void run() {
        while (true) {
            Line line;
            lock.lock();
            try {
                while (buffer.isEmpty() && !closed) {
                    changed.await();
                }
                if (closed) {
                    return;
                }
                line = buffer.pollFirst();
                inFlight = true;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                deliver(line);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // one bad line must not end the sender: every later line would then pile up and be dropped
                LOG.warn("discord line failed", Map.of("call_id", line.callId(), "error", JsonLog.describe(e)));
                drop(line.callId(), 1, "failed");
            } finally {
                reportDrops();
                lock.lock();
                try {
                    inFlight = false;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void deliver(Line line) throws InterruptedException {
        String body = body(line);
        int failures = 0;
        int rateLimited = 0;
        while (true) {
            Request request = new Request.Builder().url(webhookUrl.toString())
                    .post(RequestBody.create(body, JSON)).build();
            String failure;
            try (Response response = http.newCall(request).execute()) {
                int code = response.code();
                if (code >= 200 && code < 300) {
                    delivered.incrementAndGet();
                    METRICS.record(Measurement.one(Metric.DISCORD_POSTS).property("call_id", line.callId()));
                    return;
                }
                String text = response.body().string();
                if (code == 429) {
                    if (++rateLimited > MAX_RATE_LIMIT_WAITS) {
                        drop(line.callId(), 1, "rate_limited");
                        return;
                    }
                    Duration wait = retryAfter(text, response.header("Retry-After"));
                    LOG.info("discord rate limited", Map.of("call_id", line.callId(), "retry_after_ms", wait.toMillis()));
                    METRICS.record(Measurement.one(Metric.DISCORD_RETRIES).property("call_id", line.callId()));
                    TimeUnit.MILLISECONDS.sleep(wait.toMillis());
                    continue;
                }
                if (code < 500) {
                    // a 4xx other than 429 will not get better by retrying (bad webhook, bad content)
                    LOG.warn("discord refused line", Map.of("call_id", line.callId(), "status", code));
                    drop(line.callId(), 1, "refused");
                    return;
                }
                failure = "HTTP " + code;
            } catch (IOException e) {
                failure = JsonLog.describe(e);
            }
            if (++failures >= maxAttempts) {
                LOG.warn("discord line given up", Map.of("call_id", line.callId(), "attempts", failures, "error", failure));
                drop(line.callId(), 1, "unavailable");
                return;
            }
            METRICS.record(Measurement.one(Metric.DISCORD_RETRIES).property("call_id", line.callId()));
            long cap = Math.min(8_000, baseBackoff.toMillis() << Math.min(failures - 1, 10));
            TimeUnit.MILLISECONDS.sleep(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
        }
    }

    private static String body(Line line) {
        ObjectNode body = Json.object();
        body.put("content", line.content());
        body.put("username", DiscordText.username(line.callId()));
        // "@everyone" or "<@id>" in a transcript must ping no one
        body.set("allowed_mentions", Json.object().set("parse", Json.mapper().createArrayNode()));
        return Json.write(body);
    }

    /** Discord's wait: {@code retry_after} seconds in the JSON body, else the {@code Retry-After} header. */
    static Duration retryAfter(String body, String header) {
        Double seconds = null;
        try {
            JsonNode node = Json.parse(body);
            if (node != null && node.path("retry_after").isNumber()) {
                seconds = node.path("retry_after").asDouble();
            }
        } catch (Exception ignored) {
            // not JSON: try the header
        }
        if (seconds == null && header != null) {
            try {
                seconds = Double.parseDouble(header.strip());
            } catch (NumberFormatException ignored) {
                // unparseable: fall back to a second
            }
        }
        if (seconds == null || seconds.isNaN() || seconds < 0) {
            seconds = 1.0;
        }
        Duration wait = Duration.ofMillis((long) Math.ceil(seconds * 1000));
        return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }
}
