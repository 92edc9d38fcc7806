package ai.phoneagent.control;

import ai.phoneagent.command.CommandStore;
import ai.phoneagent.command.ControlMessage;
import ai.phoneagent.command.ControlQueues;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Stands in for the session worker on one call: long-polls the call's real control queue, records each message,
 * and marks the command DONE (with a result) or FAILED (with a reason) the way the worker does.
 */
public final class FakeWorker implements AutoCloseable {
    /** What the worker does with a command: a result to complete it with, or a failure reason. */
    public record Reply(JsonNode result, String failure) {
        public static Reply done(String json) {
            try {
                return new Reply(Json.parse(json), null);
            } catch (Exception e) {
                throw new IllegalArgumentException(e);
            }
        }

        public static Reply failed(String reason) {
            return new Reply(null, reason);
        }
    }

    private final List<ControlMessage> received = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public FakeWorker(ControlQueues queues, CommandStore commands, String callId, String queueUrl, Clock clock,
                      Function<ControlMessage, Reply> behaviour) {
        this.thread = Thread.ofPlatform().daemon().name("fake-worker-" + callId).start(() -> {
            while (running) {
                List<ControlQueues.Received> messages;
                try {
                    messages = queues.receive(queueUrl, 10, 1);
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    continue;
                }
                for (ControlQueues.Received message : messages) {
                    ControlMessage command = ControlMessage.parse(message.body());
                    received.add(command);
                    Reply reply = behaviour.apply(command);
                    if (reply.failure() != null) {
                        commands.fail(callId, command.commandId(), reply.failure(), clock.instant());
                    } else {
                        commands.complete(callId, command.commandId(), reply.result(), clock.instant());
                    }
                    queues.delete(queueUrl, message.receiptHandle());
                }
            }
        });
    }

    public List<ControlMessage> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
