package ai.phoneagent.command;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.call.CallStore;
import ai.phoneagent.call.IncomingCall;
import ai.phoneagent.json.Json;
import ai.phoneagent.testing.AwsFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hang-up the control side sends itself, against DynamoDB Local: the command is stored taken together with the
 * call's mark, and the owner's end write stores the mark's reason for an end it only observed, decided once.
 */
class ControlHangupTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static AwsFixture aws;
    private static CallStore calls;
    private static CommandStore commands;

    @BeforeAll
    static void setUp() {
        aws = AwsFixture.embedded();
        calls = aws.callStore();
        commands = new CommandStore(aws.dynamo(), aws.tableName());
    }

    private static String attachedCall() {
        String id = "rtc_" + UUID.randomUUID().toString().replace("-", "");
        calls.recordIncoming(new IncomingCall(id, "msg_" + id, List.of()), T0);
        assertThat(calls.claimStep(id, CallStore.Step.ACCEPT, "a", T0, Duration.ofSeconds(10))).isTrue();
        assertThat(calls.completeStep(id, CallStore.Step.ACCEPT, "a", T0)).isTrue();
        assertThat(calls.claimStep(id, CallStore.Step.ENQUEUE, "e", T0, Duration.ofSeconds(10))).isTrue();
        assertThat(calls.completeStep(id, CallStore.Step.ENQUEUE, "e", T0)).isTrue();
        assertThat(calls.claimOwnership(id, "w1", T0)).isPresent();
        return id;
    }

    private static Command hangup(String callId, String key, Instant at) {
        return Command.pending(callId, "cmd_" + UUID.randomUUID().toString().replace("-", ""), CommandType.HANGUP,
                Json.object().put("reason", "spam_caller"), key, at);
    }

    private static CommandStore.Taking taken(Command command) {
        return commands.createTaken(command, "control", calls.controlHangupMark(command.callId(), command.commandId(),
                "spam_caller", command.requestedAt()));
    }

    @Test
    void aCommandStoredTakenCanBeCarriedOutByNobodyElse() {
        String callId = attachedCall();
        Command command = hangup(callId, null, T0.plusSeconds(1));

        assertThat(taken(command)).isInstanceOf(CommandStore.Taking.Stored.class);

        assertThat(commands.get(callId, command.commandId())).hasValueSatisfying(c ->
                assertThat(c.status()).isEqualTo(CommandStatus.PENDING));
        assertThat(commands.claimExecution(callId, command.commandId(), "w1", T0.plusSeconds(2)))
                .hasValueSatisfying(claim -> {
                    assertThat(claim.claimed()).as("a worker's copy finds it taken").isFalse();
                    assertThat(claim.executor()).isEqualTo("control");
                });
    }

    @Test
    void aCallThatEndedMeanwhileRefusesTheMarkAndNoCommandIsStored() {
        String callId = attachedCall();
        assertThat(calls.markEnded(callId, "caller_hangup", T0.plusSeconds(1))).isTrue();
        Command command = hangup(callId, "key-1", T0.plusSeconds(2));

        assertThat(taken(command)).isInstanceOf(CommandStore.Taking.Refused.class);

        assertThat(commands.get(callId, command.commandId())).as("both land or neither").isEmpty();
        Command retry = hangup(callId, "key-1", T0.plusSeconds(3));
        assertThat(taken(retry)).as("nor was the key used up").isInstanceOf(CommandStore.Taking.Refused.class);
    }

    @Test
    void aSecondRequestWithTheSameKeyGetsTheFirstCommandAndWritesNothing() {
        String callId = attachedCall();
        Command first = hangup(callId, "key-2", T0.plusSeconds(1));
        assertThat(taken(first)).isInstanceOf(CommandStore.Taking.Stored.class);

        Command second = hangup(callId, "key-2", T0.plusSeconds(2));
        CommandStore.Taking again = taken(second);

        assertThat(again).isInstanceOfSatisfying(CommandStore.Taking.Duplicate.class,
                d -> assertThat(d.earlier().commandId()).isEqualTo(first.commandId()));
        assertThat(commands.get(callId, second.commandId())).isEmpty();
    }

    @Test
    void anEndTheOwnerObservesSoonAfterTheControlHangupIsStoredWithTheHangupsReason() {
        String callId = attachedCall();
        assertThat(taken(hangup(callId, null, T0.plusSeconds(1)))).isInstanceOf(CommandStore.Taking.Stored.class);

        CallRecord ended = calls.endObserved(callId, "caller_hangup", T0.plusSeconds(2)).orElseThrow();

        assertThat(ended.status()).isEqualTo(CallStatus.ENDED);
        assertThat(ended.endReason()).isEqualTo("spam_caller");
        assertThat(calls.endObserved(callId, "caller_hangup", T0.plusSeconds(3))).as("decided once").isEmpty();
        assertThat(calls.get(callId).orElseThrow().endReason()).isEqualTo("spam_caller");
    }

    @Test
    void anEndObservedLongAfterAControlHangupThatNeverTookIsStoredAsSeen() {
        String callId = attachedCall();
        assertThat(taken(hangup(callId, null, T0.plusSeconds(1)))).isInstanceOf(CommandStore.Taking.Stored.class);

        Instant muchLater = T0.plusSeconds(1).plus(CallStore.CONTROL_HANGUP_FRESH).plusSeconds(1);
        CallRecord ended = calls.endObserved(callId, "caller_hangup", muchLater).orElseThrow();

        assertThat(ended.endReason()).isEqualTo("caller_hangup");
    }

    @Test
    void aMarkTakenBackLeavesTheObservedReasonAndOnlyItsOwnCommandTakesItBack() {
        String callId = attachedCall();
        Command command = hangup(callId, null, T0.plusSeconds(1));
        assertThat(taken(command)).isInstanceOf(CommandStore.Taking.Stored.class);

        assertThat(calls.clearControlHangup(callId, "cmd_other")).isFalse();
        assertThat(calls.clearControlHangup(callId, command.commandId())).isTrue();

        assertThat(calls.endObserved(callId, "caller_hangup", T0.plusSeconds(2)).orElseThrow().endReason())
                .isEqualTo("caller_hangup");
    }

    @Test
    void anEndTheOwnerDecidedItselfKeepsItsOwnReason() {
        String callId = attachedCall();
        assertThat(taken(hangup(callId, null, T0.plusSeconds(1)))).isInstanceOf(CommandStore.Taking.Stored.class);

        CallRecord ended = calls.endCall(callId, "agent_hangup", T0.plusSeconds(2)).orElseThrow();

        assertThat(ended.endReason()).isEqualTo("agent_hangup");
    }

    @Test
    void anObservedEndOfACallWithoutAMarkIsStoredAsSeen() {
        String callId = attachedCall();

        assertThat(calls.endObserved(callId, "caller_hangup", T0.plusSeconds(2)).orElseThrow().endReason())
                .isEqualTo("caller_hangup");
        assertThat(calls.endObserved(callId, "caller_hangup", T0.plusSeconds(3))).isEmpty();
    }
}
