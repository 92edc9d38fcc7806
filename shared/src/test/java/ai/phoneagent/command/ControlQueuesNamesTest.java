package ai.phoneagent.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.json.Json;
import ai.phoneagent.queue.InvalidMessageException;
import java.util.List;

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
        assertThat(Nudge.parse("{\"callId\":\"rtc_1\"}")).isEqualTo(Nudge.readQueue("rtc_1"));
        for (String bad : List.of("{\"callId\":7}", "{\"callId\":\" \"}", "not json", "[]", "{}")) {
            assertThatThrownBy(() -> Nudge.parse(bad)).as(bad).isInstanceOf(InvalidMessageException.class);
        }
    }

    @Test
    void aNudgeReportsTheControlSidesHangupAndAMalformedReportIsOnlyARead() {
        Nudge.HungUp hungUp = new Nudge.HungUp("cmd_1", "spam_caller");
        assertThat(Nudge.parse(Nudge.hungUp("rtc_1", hungUp).toJson())).isEqualTo(Nudge.hungUp("rtc_1", hungUp));
        for (String bad : List.of("{\"callId\":\"rtc_1\",\"hungUp\":{\"commandId\":\"cmd_1\"}}",
                "{\"callId\":\"rtc_1\",\"hungUp\":{\"commandId\":\"cmd_1\",\"reason\":\"Not A Code\"}}",
                "{\"callId\":\"rtc_1\",\"hungUp\":{\"commandId\":7,\"reason\":\"operator_hangup\"}}",
                "{\"callId\":\"rtc_1\",\"hungUp\":\"yes\"}")) {
            Nudge parsed = Nudge.parse(bad);
            assertThat(parsed.hungUp()).as(bad).isEmpty();
            assertThat(parsed.command()).as(bad).isEmpty();
            assertThat(parsed.commandProblem()).as(bad).hasValueSatisfying(why -> assertThat(why).startsWith("hungUp:"));
        }
    }

    @Test
    void aNudgeCarriesItsCommandAsTheCallsQueueHasIt() {
        ControlMessage command = new ControlMessage("cmd_1", CommandType.HANGUP, Json.object().put("reason", "x"),
                1_700_000_000_000L, "0af7651916cd43dd8448eb211c80319c");
        Nudge parsed = Nudge.parse(Nudge.carrying("rtc_1", command).toJson());
        assertThat(parsed.callId()).isEqualTo("rtc_1");
        assertThat(parsed.command()).contains(command);
        assertThat(parsed.commandProblem()).isEmpty();
        assertThat(parsed.command().orElseThrow().toJson()).isEqualTo(command.toJson());
    }

    @Test
    void aNudgeWhoseCommandIsMalformedStillNamesItsCallAndSaysWhatIsWrong() {
        Nudge noId = Nudge.parse("{\"callId\":\"rtc_1\",\"command\":{\"type\":\"hangup\"}}");
        assertThat(noId.callId()).isEqualTo("rtc_1");
        assertThat(noId.command()).isEmpty();
        assertThat(noId.commandProblem()).contains("command: commandId is missing or malformed");
        Nudge notAnObject = Nudge.parse("{\"callId\":\"rtc_1\",\"command\":\"hangup\"}");
        assertThat(notAnObject.command()).isEmpty();
        assertThat(notAnObject.commandProblem()).contains("command: message is not a JSON object");
        Nudge badType = Nudge.parse("{\"callId\":\"rtc_1\",\"command\":{\"commandId\":\"cmd_1\",\"type\":\"explode\"}}");
        assertThat(badType.commandProblem()).contains("command: type must be hangup, transfer or instructions");
    }
}
