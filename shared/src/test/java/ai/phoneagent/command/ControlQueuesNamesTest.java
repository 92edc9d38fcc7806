package ai.phoneagent.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Queue names and nudge bodies; no SQS request is made (the client is never used). */
class ControlQueuesNamesTest {
    private final ControlQueues queues = new ControlQueues(null, "ctl-");

    @Test
    void aWorkersNudgeQueueIsNamedAfterItsIdAndNeverTakenForACallsQueue() {
        assertThat(queues.nudgeQueueName("worker-a1b2c3")).isEqualTo("ctl-worker-worker-a1b2c3");
        String url = "http://localhost:9324/000000000000/ctl-worker-worker-a1b2c3";
        assertThat(queues.isNudgeQueue(url)).isTrue();
        assertThat(queues.callIdOf(url)).isEmpty();
        assertThat(queues.isNudgeQueue("http://localhost:9324/000000000000/ctl-rtc_abc")).isFalse();
    }

    @Test
    void aNudgeQueueUrlIsDerivedFromAnyQueueUrlOfTheSameAccountWithoutARequest() {
        assertThat(queues.nudgeQueueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/ctl-rtc_abc", "w-1"))
                .isEqualTo("https://sqs.eu-west-1.amazonaws.com/123456789012/ctl-worker-w-1");
        assertThat(queues.nudgeQueueUrl("http://127.0.0.1:9324/000000000000/ctl-rtc_abc", "ip-10.0.0.1"))
                .isEqualTo("http://127.0.0.1:9324/000000000000/" + queues.nudgeQueueName("ip-10.0.0.1"));
    }

    @Test
    void idsSqsRefusesOrTooLongAreSanitisedAndHashedSoNamesStayValidAndUnique() {
        String dotted = queues.nudgeQueueName("ip-10-0-1-2.ec2.internal#7");
        String underscored = queues.nudgeQueueName("ip-10-0-1-2_ec2_internal_7");
        assertThat(dotted).matches("[A-Za-z0-9_-]{1,80}").isNotEqualTo(underscored);
        String longName = queues.nudgeQueueName("w".repeat(120));
        assertThat(longName).hasSizeLessThanOrEqualTo(80).matches("[A-Za-z0-9_-]+")
                .isNotEqualTo(queues.nudgeQueueName("w".repeat(121)));
    }

    @Test
    void aNudgeNamesItsCallAndAnythingElseIsNotANudge() {
        assertThat(ControlQueues.nudgedCallId("{\"callId\":\"rtc_1\"}")).contains("rtc_1");
        assertThat(ControlQueues.nudgedCallId("{\"callId\":7}")).isEmpty();
        assertThat(ControlQueues.nudgedCallId("{\"callId\":\" \"}")).isEmpty();
        assertThat(ControlQueues.nudgedCallId("not json")).isEmpty();
        assertThat(ControlQueues.nudgedCallId("[]")).isEmpty();
    }
}
