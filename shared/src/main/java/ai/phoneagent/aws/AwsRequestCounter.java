package ai.phoneagent.aws;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Knows which AWS call each thread is waiting on (so a request cut off by its deadline can say which service hung),
 * and counts the AWS requests this process really sends, by {@code Service.Operation} (one count per HTTP attempt,
 * retries included), plus the items of DynamoDB transactions (each costs two write units). Costs nothing worth
 * measuring; the benchmark reads the counts through {@link #dumpEvery} to price a call-minute.
 */
public final class AwsRequestCounter implements ExecutionInterceptor {
    /** The process-wide counter every client built by {@link AwsClients} reports to. */
    public static final AwsRequestCounter GLOBAL = new AwsRequestCounter();
    private static final String TRANSACT_ITEMS = "DynamoDb.TransactWriteItems.items";

    private static final ExecutionAttribute<Long> EXECUTION_STARTED = new ExecutionAttribute<>("PhoneAgentExecutionStarted");
    private static final ExecutionAttribute<Long> TRANSMISSION_STARTED = new ExecutionAttribute<>("PhoneAgentTransmissionStarted");
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    /** Microseconds spent, by {@code Service.Operation.sdk} (whole call) and {@code .http} (on the wire, per attempt). */
    private final Map<String, LongAdder> micros = new ConcurrentHashMap<>();
    private final Map<Thread, String> inFlight = new ConcurrentHashMap<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        attributes.putAttribute(EXECUTION_STARTED, System.nanoTime());
        callStarted(name(attributes));
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Long started = attributes.getAttribute(EXECUTION_STARTED);
        callEnded(name(attributes), started == null ? System.nanoTime() : started);
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        attributes.putAttribute(TRANSMISSION_STARTED, System.nanoTime());
        attemptSent(name(attributes), context.request() instanceof TransactWriteItemsRequest transact
                ? transact.transactItems().size() : 0);
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        Long started = attributes.getAttribute(TRANSMISSION_STARTED);
        if (started != null) {
            attemptAnswered(name(attributes), started);
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        inFlight.remove(Thread.currentThread());
    }

    private static String name(ExecutionAttributes attributes) {
        return attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    }

    /** The calling thread starts the AWS call {@code name} ({@code Service.Operation}). */
    void callStarted(String name) {
        inFlight.put(Thread.currentThread(), name);
    }

    /** The calling thread's AWS call {@code name}, started at {@code startedNanos}, ended (answered or failed). */
    void callEnded(String name, long startedNanos) {
        inFlight.remove(Thread.currentThread());
        addMicros(name + ".sdk", startedNanos);
    }

    /** One HTTP attempt of {@code name} goes out; {@code transactItems} are a DynamoDB transaction's items, else 0. */
    void attemptSent(String name, int transactItems) {
        add(name, 1);
        if (transactItems > 0) {
            add(TRANSACT_ITEMS, transactItems);
        }
    }

    /** An attempt of {@code name} sent at {@code sentNanos} was answered or failed. */
    void attemptAnswered(String name, long sentNanos) {
        addMicros(name + ".http", sentNanos);
    }

    private void addMicros(String key, long sinceNanos) {
        micros.computeIfAbsent(key, k -> new LongAdder()).add((System.nanoTime() - sinceNanos) / 1_000);
    }

    /** The AWS call {@code thread} is waiting on right now, as {@code Service.Operation}, if any. */
    public java.util.Optional<String> inFlight(Thread thread) {
        return java.util.Optional.ofNullable(inFlight.get(thread));
    }

    private void add(String key, long n) {
        counts.computeIfAbsent(key, k -> new LongAdder()).add(n);
    }

    /** A sorted copy of the counts so far. */
    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    /** The counts as a flat JSON object. */
    public String toJson() {
        return toJson(snapshot());
    }

    /**
     * Microseconds spent so far by {@code Service.Operation.sdk} (the SDK call, from the request object to the parsed
     * answer, retries included) and {@code Service.Operation.http} (from the HTTP request's start to its response's
     * headers, summed over attempts). Divided by the counts, they show what the SDK adds to the wire time.
     */
    public Map<String, Long> microsSnapshot() {
        Map<String, Long> copy = new TreeMap<>();
        micros.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    private static String toJson(Map<String, Long> values) {
        StringBuilder json = new StringBuilder("{");
        values.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return json.append('}').toString();
    }

    /**
     * When {@code AWS_REQUEST_COUNTS_FILE} names a file, rewrites it every {@code periodMs} from a daemon thread
     * (atomically, so a reader never sees half a file) when the counts changed, and the {@link #microsSnapshot() times}
     * next to it in {@code <file>.micros}: an idle process being measured then spends nothing on it. Used by the
     * benchmark only.
     */
    public static void dumpFromEnvironment(long periodMs) {
        String file = System.getenv("AWS_REQUEST_COUNTS_FILE");
        if (file == null || file.isBlank()) {
            return;
        }
        Path target = Path.of(file);
        Thread.ofPlatform().daemon().name("aws-request-counts").start(() -> {
            String written = null;
            while (true) {
                try {
                    String json = GLOBAL.toJson();
                    if (!json.equals(written)) {
                        write(target, json);
                        write(target.resolveSibling(target.getFileName() + ".micros"), toJson(GLOBAL.microsSnapshot()));
                        written = json;
                    }
                    Thread.sleep(periodMs);
                } catch (IOException e) {
                    return; // a benchmark aid: stop quietly when the file cannot be written
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static void write(Path target, String json) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static {
        dumpFromEnvironment(200);
    }
}
