package ai.phoneagent.aws;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A wire that never touches the network: every DynamoDB request succeeds empty ({@code {}}) and every SQS
 * {@code SendMessage} is taken with a message id. For SnapStart priming only: it lets a handler run its real code path,
 * marshalling and signing included, before the snapshot, with nothing that could outlive the restore.
 */
final class OfflineWire implements AwsJsonTransport.Wire {
    private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);
    private final AtomicLong ids = new AtomicLong();

    @Override
    public AwsJsonTransport.Answer post(AwsJsonTransport.Post post, long deadlineNanos) {
        byte[] body = post.target().endsWith(".SendMessage")
                ? ("{\"MessageId\":\"offline-" + ids.incrementAndGet() + "\"}").getBytes(StandardCharsets.UTF_8)
                : EMPTY;
        return new AwsJsonTransport.Answer(200, "offline", body);
    }

    @Override
    public void close() {
        // nothing to release
    }
}
