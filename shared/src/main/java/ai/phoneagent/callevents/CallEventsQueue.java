package ai.phoneagent.callevents;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.queue.CallsQueue;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/** The call-events queue on SQS: the worker (and the replay route) enqueue, the worker's deliverer posts. */
public final class CallEventsQueue {
    /** What a call's stored events call a successful transfer. */
    public static final String TRANSFER_KIND = "transfer";

    private final SqsClient sqs;
    private final String queueUrl;
    private final CallsQueue receiving;

    public CallEventsQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.receiving = new CallsQueue(sqs, queueUrl);
    }

    public String url() {
        return queueUrl;
    }

    public void send(CallEventMessage message) {
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(message.toJson()).build());
    }

    /** Long-polls (the same receive, delete and delay as the calls queue). */
    public List<CallsQueue.Received> receive(int max, int waitSeconds) {
        return receiving.receive(max, waitSeconds);
    }

    public void delete(String receiptHandle) {
        receiving.delete(receiptHandle);
    }

    public void retryLater(String receiptHandle, int seconds) {
        receiving.retryLater(receiptHandle, seconds);
    }

    /**
     * The events a stored call has had, with the ids they were first sent under: {@code call.started} once it
     * attached, one {@code call.transferred} per successful transfer event, {@code call.ended} once ended.
     */
    public static List<CallEventMessage> eventsOf(CallRecord call, List<CallEvent> events) {
        List<CallEventMessage> out = new ArrayList<>();
        if (call.attachedAt() != null) {
            out.add(CallEventMessage.of(CallEventType.STARTED, call.callId(), call.attachedAt().toEpochMilli(), null));
        }
        for (CallEvent event : events) {
            if (TRANSFER_KIND.equals(event.kind()) && event.details() != null && event.details().path("ok").asBoolean(false)) {
                out.add(CallEventMessage.of(CallEventType.TRANSFERRED, call.callId(), event.ts().toEpochMilli(), event.id()));
            }
        }
        if (call.status() == CallStatus.ENDED) {
            long at = call.endedAt() != null ? call.endedAt().toEpochMilli() : System.currentTimeMillis();
            out.add(CallEventMessage.of(CallEventType.ENDED, call.callId(), at, null));
        }
        return out;
    }
}
