package ai.phoneagent.worker.events;

import ai.phoneagent.callevents.CallEventMessage;
import ai.phoneagent.callevents.CallEventType;
import ai.phoneagent.callevents.CallEventsQueue;
import ai.phoneagent.logging.JsonLog;
import ai.phoneagent.openai.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * The call-events adapter of {@link LiveEventSink}: a call's start, transfers and end become messages on the
 * call-events queue (sent off the mailbox, retried for a minute); {@link CallEventDeliverer} posts them.
 */
public final class CallEventPublisher implements LiveEventSink {
    private static final JsonLog LOG = JsonLog.forComponent("call-events");
    private static final RetryPolicy SEND_RETRY = new RetryPolicy(Duration.ofMinutes(1), Duration.ofMillis(200),
            Duration.ofSeconds(5), RandomGenerator.getDefault());

    private final CallEventsQueue queue;
    private final Executor io;
    private final Clock clock;

    public CallEventPublisher(CallEventsQueue queue, Executor io, Clock clock) {
        this.queue = queue;
        this.io = io;
        this.clock = clock;
    }

    @Override
    public void publish(LiveEvent event) {
        long now = clock.millis();
        CallEventMessage message = switch (event) {
            case LiveEvent.CallStarted s -> CallEventMessage.of(CallEventType.STARTED, s.callId(), now, null);
            case LiveEvent.CallTransferred t -> CallEventMessage.of(CallEventType.TRANSFERRED, t.callId(), now, t.eventId());
            case LiveEvent.CallEnded e -> CallEventMessage.of(CallEventType.ENDED, e.callId(), now, null);
            case LiveEvent.Utterance u -> null;
        };
        if (message != null) {
            io.execute(() -> send(message));
        }
    }

    private void send(CallEventMessage message) {
        long deadline = System.nanoTime() + SEND_RETRY.deadline().toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                queue.send(message);
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    LOG.error("call event not enqueued; replay it from the control API", Map.of("call_id", message.callId(),
                            "type", message.type().wireName(), "event_id", message.eventId(), "error", JsonLog.describe(e)));
                    return;
                }
                try {
                    Thread.sleep(SEND_RETRY.delayBefore(attempt).plusMillis(20));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
