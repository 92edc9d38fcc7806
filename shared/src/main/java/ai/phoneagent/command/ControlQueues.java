package ai.phoneagent.command;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The per-call control queues, named {@code <prefix><call_id>}, and the per-worker nudge queues, named
 * {@code <prefix>worker-<worker id>}. A call's queue belongs to the call, so pending commands follow it to whichever
 * worker owns it; a {@link Nudge} on the owner's nudge queue tells that worker of a command at once (it carries the
 * command, or only says "read the call's queue now"), so a worker long-polls one queue rather than one per call.
 */
public final class ControlQueues {
    private static final int MAX_NAME = 80;
    /** Follows the prefix in a nudge queue's name; call ids ({@code rtc_...}) never start with it. */
    public static final String NUDGE_INFIX = "worker-";
    private final SqsClient sqs;
    private final String prefix;

    public ControlQueues(SqsClient sqs, String prefix) {
        if (!prefix.matches("[A-Za-z0-9_\\-]{1,40}")) {
            throw new IllegalArgumentException("control queue prefix must be 1-40 letters, digits, - or _");
        }
        this.sqs = sqs;
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** The queue name for a call; over-long ids are shortened with a hash so names stay unique and valid. */
    public String queueName(String callId) {
        String name = prefix + callId;
        if (name.length() <= MAX_NAME) {
            return name;
        }
        String hash = sha256Hex(callId).substring(0, 16);
        return name.substring(0, MAX_NAME - hash.length() - 1) + "-" + hash;
    }

    /**
     * The worker's nudge queue name: {@code <prefix>worker-<id>}; an id with characters SQS names do not allow, or
     * too long for 80 characters, has them replaced and a hash of the exact id appended, so names stay unique.
     */
    public String nudgeQueueName(String workerId) {
        String safe = workerId.replaceAll("[^A-Za-z0-9_\\-]", "_");
        String name = prefix + NUDGE_INFIX + safe;
        if (safe.equals(workerId) && name.length() <= MAX_NAME) {
            return name;
        }
        String hash = sha256Hex(workerId).substring(0, 16);
        return name.substring(0, Math.min(name.length(), MAX_NAME - hash.length() - 1)) + "-" + hash;
    }

    /** Whether the queue URL is a worker's nudge queue (not a call's control queue). */
    public boolean isNudgeQueue(String queueUrl) {
        return nameOf(queueUrl).startsWith(prefix + NUDGE_INFIX);
    }

    /** A queue's name: the last segment of its URL. */
    public static String nameOf(String queueUrl) {
        return queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
    }

    /** Creates the worker's nudge queue (idempotent) and returns its URL. */
    public String createNudgeQueue(String workerId) {
        return sqs.createQueue(b -> b.queueName(nudgeQueueName(workerId)).attributes(java.util.Map.of(
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, "600",
                QueueAttributeName.VISIBILITY_TIMEOUT, "30"))).queueUrl();
    }

    /**
     * The worker's nudge queue URL, derived without a request from the URL of any queue of the same account and
     * region (e.g. the call's control queue): queue URLs differ only in their last segment, the queue's name.
     */
    public String nudgeQueueUrl(String siblingQueueUrl, String workerId) {
        return sibling(siblingQueueUrl, nudgeQueueName(workerId));
    }

    /** The call's queue URL, derived without a request as {@link #nudgeQueueUrl} is (e.g. from a nudge queue's). */
    public String queueUrl(String siblingQueueUrl, String callId) {
        return sibling(siblingQueueUrl, queueName(callId));
    }

    private static String sibling(String queueUrl, String name) {
        return queueUrl.substring(0, queueUrl.lastIndexOf('/') + 1) + name;
    }

    /**
     * Tells the worker to read the call's control queue now: one send, to the nudge queue URL derived from
     * {@code callQueueUrl} (the call's control queue). Throws {@link QueueDoesNotExistException} when the worker has
     * no nudge queue (stopped, or not started yet) and any SDK error as is; the caller decides.
     */
    public void nudge(String callQueueUrl, String workerId, String callId) {
        nudge(callQueueUrl, workerId, Nudge.readQueue(callId));
    }

    /**
     * As {@link #nudge(String, String, String)}, carrying {@code command} (the message also put on the call's queue),
     * so the worker can carry it out without reading the call's queue first.
     */
    public void nudge(String callQueueUrl, String workerId, String callId, ControlMessage command) {
        nudge(callQueueUrl, workerId, Nudge.carrying(callId, command));
    }

    /** Tells the worker that OpenAI took the control side's hang-up {@code hungUp} of the call ({@link Nudge#hungUp}). */
    public void nudge(String callQueueUrl, String workerId, String callId, Nudge.HungUp hungUp) {
        nudge(callQueueUrl, workerId, Nudge.hungUp(callId, hungUp));
    }

    private void nudge(String callQueueUrl, String workerId, Nudge nudge) {
        String url = nudgeQueueUrl(callQueueUrl, workerId);
        sqs.sendMessage(b -> b.queueUrl(url).messageBody(nudge.toJson()));
    }

    /** Creates the call's queue (idempotent) and returns its URL. */
    public String create(String callId) {
        return sqs.createQueue(b -> b.queueName(queueName(callId)).attributes(java.util.Map.of(
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, "3600",
                QueueAttributeName.VISIBILITY_TIMEOUT, "30"))).queueUrl();
    }

    /** The call's queue URL, when the queue exists. */
    public Optional<String> find(String callId) {
        try {
            return Optional.of(sqs.getQueueUrl(b -> b.queueName(queueName(callId))).queueUrl());
        } catch (QueueDoesNotExistException e) {
            return Optional.empty();
        }
    }

    public String send(String queueUrl, ControlMessage message) {
        return sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(message.toJson())).messageId();
    }

    /** A received control message: raw body (validated by the receiver) and receipt handle. */
    public record Received(String body, String receiptHandle) {
    }

    /** Long-polls the call's queue. */
    public List<Received> receive(String queueUrl, int max, int waitSeconds) {
        return sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(Math.clamp(max, 1, 10))
                        .waitTimeSeconds(Math.clamp(waitSeconds, 0, 20))
                        .overrideConfiguration(ai.phoneagent.aws.AwsTimeouts.longPoll(Math.clamp(waitSeconds, 0, 20))))
                .messages().stream().map(m -> new Received(m.body(), m.receiptHandle())).toList();
    }

    public void delete(String queueUrl, String receiptHandle) {
        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle));
    }

    /** Long-polls the call's queue; a queue that no longer exists (deleted by the call's end or a sweep) gives none. */
    public Optional<List<Received>> receiveIfExists(String queueUrl, int max, int waitSeconds) {
        try {
            return Optional.of(receive(queueUrl, max, waitSeconds));
        } catch (QueueDoesNotExistException e) {
            return Optional.empty();
        }
    }

    /** Deletes the call's queue; a queue already gone is fine. */
    public void deleteQueue(String queueUrl) {
        try {
            sqs.deleteQueue(b -> b.queueUrl(queueUrl));
        } catch (QueueDoesNotExistException e) {
            // already deleted (e.g. by the sweep)
        }
    }

    /** Every control and nudge queue that exists now (for the sweep of queues left by dead workers). */
    public List<String> listAll() {
        return sqs.listQueuesPaginator(b -> b.queueNamePrefix(prefix).maxResults(1000)).queueUrls().stream().toList();
    }

    /** The call id a queue URL belongs to, when its name is not a shortened one. */
    public Optional<String> callIdOf(String queueUrl) {
        String name = nameOf(queueUrl);
        return name.startsWith(prefix) && !name.startsWith(prefix + NUDGE_INFIX) && name.length() < MAX_NAME
                ? Optional.of(name.substring(prefix.length()))
                : Optional.empty();
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
