package ai.phoneagent.call;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The call item ({@code CALL#id / META}) as stored. */
public record CallRecord(
        String callId,
        CallStatus status,
        String webhookId,
        String from,
        String to,
        List<SipHeader> sipHeaders,
        String conferenceName,
        String callToken,
        Instant createdAt,
        Instant acceptedAt,
        Instant attachedAt,
        Instant endedAt,
        String endReason,
        String failureReason,
        String owner,
        Instant leaseUntil,
        String controlQueueUrl,
        long nextSeq,
        long version) {

    public Optional<String> conference() {
        return Optional.ofNullable(conferenceName);
    }

    public Optional<String> token() {
        return Optional.ofNullable(callToken);
    }

    @Override
    public String toString() {
        return "CallRecord[callId=" + callId + ", status=" + status + ", owner=" + owner + "]";
    }
}
