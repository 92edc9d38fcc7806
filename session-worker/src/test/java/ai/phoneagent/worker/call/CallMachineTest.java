package ai.phoneagent.worker.call;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.EndReason;
import ai.phoneagent.openai.RetryPolicy;
import ai.phoneagent.worker.call.CallMachine.AttachFailure;
import ai.phoneagent.worker.call.CallMachine.Effect;
import ai.phoneagent.worker.call.CallMachine.HangupAnswer;
import ai.phoneagent.worker.call.CallMachine.Input;
import ai.phoneagent.worker.call.CallMachine.Phase;
import ai.phoneagent.worker.realtime.Disconnect;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The call's state machine on its own: every transition and the racing orderings, with no sockets and no threads. */
class CallMachineTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration WINDOW = Duration.ofSeconds(15);
    static final Disconnect CLOSED = new Disconnect.Closed(1000, "");
    static final Disconnect RESET = new Disconnect.Failed(0, "SocketException: Connection reset");
    static final Disconnect GONE = new Disconnect.Failed(404, "ProtocolException");
    static final Disconnect UNAUTHORIZED = new Disconnect.Failed(401, "ProtocolException");

    private static CallMachine machine(boolean greet) {
        return new CallMachine(greet, new RetryPolicy(WINDOW, Duration.ofMillis(250), Duration.ofSeconds(2), new Random(7)));
    }

    /** A machine whose first socket is open. */
    private static CallMachine live(boolean greet) {
        CallMachine m = machine(greet);
        m.start();
        m.on(new Input.Opened(1), T0);
        return m;
    }

    @Test
    void startOpensTheFirstSocketAndTheFirstOpenGreets() {
        CallMachine m = machine(true);
        assertThat(m.start()).containsExactly(new Effect.OpenSocket(1));
        assertThat(m.phase()).isEqualTo(Phase.CONNECTING);
        assertThat(m.on(new Input.Opened(1), T0)).containsExactly(new Effect.Greet(), new Effect.Attached(true));
        assertThat(m.phase()).isEqualTo(Phase.LIVE);
    }

    @Test
    void aCallStoppedBeforeItsStartNeverOpensASocket() {
        for (Input stop : List.of(new Input.Abandon(), new Input.ReleaseRequested("handoff"), new Input.OwnershipLost())) {
            CallMachine m = machine(true);
            m.on(stop, T0);
            assertThat(m.start()).as("started after %s", stop).isEmpty();
            assertThat(m.phase().isFinal()).isTrue();
        }
    }

    @Test
    void aCallTakenOverMidConversationIsNotGreeted() {
        CallMachine m = machine(false);
        m.start();
        assertThat(m.on(new Input.Opened(1), T0)).containsExactly(new Effect.Attached(true));
    }

    @Test
    void aDropIsRetriedWithBackoffAndTheReattachDoesNotGreetAgain() {
        CallMachine m = live(true);
        m.on(new Input.Greeted(), T0); // OpenAI started the greeting's response
        List<Effect> effects = m.on(new Input.Dropped(1, RESET), T0);
        assertThat(m.phase()).isEqualTo(Phase.RECONNECTING);
        assertThat(effects).singleElement().isInstanceOfSatisfying(Effect.ScheduleConnect.class, c -> {
            assertThat(c.generation()).isEqualTo(2);
            assertThat(c.delay()).isBetween(Duration.ZERO, Duration.ofMillis(250));
        });
        assertThat(m.on(new Input.ConnectDue(2), T0.plusMillis(300))).containsExactly(new Effect.OpenSocket(2));
        assertThat(m.on(new Input.Opened(2), T0.plusMillis(400))).containsExactly(new Effect.Attached(false));
        assertThat(m.phase()).isEqualTo(Phase.LIVE);
    }

    @Test
    void aCloseFrameAloneIsNotAnEndButARefusedReattachWith404Is() {
        CallMachine m = live(true);
        assertThat(m.on(new Input.Dropped(1, CLOSED), T0)).singleElement().isInstanceOf(Effect.ScheduleConnect.class);
        m.on(new Input.ConnectDue(2), T0);
        assertThat(m.on(new Input.Dropped(2, GONE), T0.plusMillis(100)))
                .containsExactly(new Effect.End(EndReason.CALLER_HANGUP));
        assertThat(m.phase()).isEqualTo(Phase.ENDED);
        assertThat(m.endReason()).isEqualTo(EndReason.CALLER_HANGUP);
    }

    @Test
    void aHangupTakenElsewhereEndsTheCallWithItsReasonWithoutWaitingForTheReattach() {
        CallMachine m = live(true);
        EndReason operator = new EndReason("spam_caller");
        // OpenAI closes the socket first; then the control side's word arrives while the re-attach waits
        assertThat(m.on(new Input.Dropped(1, CLOSED), T0)).singleElement().isInstanceOf(Effect.ScheduleConnect.class);

        assertThat(m.on(new Input.HangupAnswered(operator, HangupAnswer.ACCEPTED), T0.plusMillis(10)))
                .containsExactly(new Effect.End(operator));
        assertThat(m.on(new Input.ConnectDue(2), T0.plusMillis(200))).as("no re-attach after the end").isEmpty();
        assertThat(m.endReason()).isEqualTo(operator);
    }

    @Test
    void aHangupTakenElsewhereBeforeTheSocketClosesEndsTheCallAtTheClose() {
        CallMachine m = live(true);
        EndReason operator = EndReason.OPERATOR_HANGUP;

        assertThat(m.on(new Input.HangupAnswered(operator, HangupAnswer.ACCEPTED), T0)).singleElement()
                .isInstanceOf(Effect.ScheduleHangupCloseCheck.class);

        assertThat(m.on(new Input.Dropped(1, CLOSED), T0.plusMillis(5))).containsExactly(new Effect.End(operator));
    }

    @Test
    void failedReattachesBackOffUntilTheWindowRunsOutThenTheCallIsReleasedNotEnded() {
        CallMachine m = live(true);
        Instant now = T0;
        int generation = 1;
        for (int attempt = 1; attempt <= 6; attempt++) {
            List<Effect> effects = m.on(new Input.Dropped(generation, RESET), now);
            Effect.ScheduleConnect connect = (Effect.ScheduleConnect) effects.getFirst();
            generation = connect.generation();
            assertThat(connect.delay()).isLessThanOrEqualTo(Duration.ofSeconds(2));
            m.on(new Input.ConnectDue(generation), now.plus(connect.delay()));
            now = now.plusSeconds(2);
        }
        List<Effect> last = m.on(new Input.Dropped(generation, RESET), T0.plus(WINDOW));
        assertThat(last).containsExactly(new Effect.Release("reattach_window_exhausted"),
                new Effect.AttachRefused(AttachFailure.WINDOW_EXHAUSTED));
        assertThat(m.phase()).isEqualTo(Phase.RELEASED);
        assertThat(m.endReason()).isNull();
    }

    @Test
    void theWindowRestartsAfterASuccessfulReattach() {
        CallMachine m = live(true);
        m.on(new Input.Dropped(1, RESET), T0);
        m.on(new Input.ConnectDue(2), T0);
        m.on(new Input.Opened(2), T0.plusSeconds(14));
        assertThat(m.on(new Input.Dropped(2, RESET), T0.plusSeconds(20)))
                .singleElement().isInstanceOf(Effect.ScheduleConnect.class);
    }

    @Test
    void anUnauthorizedAttachReleasesTheCallAndReportsTheWorker() {
        CallMachine m = machine(true);
        m.start();
        assertThat(m.on(new Input.Dropped(1, UNAUTHORIZED), T0)).containsExactly(
                new Effect.Release("attach_unauthorized"), new Effect.AttachRefused(AttachFailure.UNAUTHORIZED));
        assertThat(m.phase()).isEqualTo(Phase.RELEASED);
    }

    @Test
    void eventsOfAnOlderSocketAreIgnoredAndItsLateOpenIsDiscarded() {
        CallMachine m = live(true);
        m.on(new Input.Dropped(1, RESET), T0);
        assertThat(m.on(new Input.Dropped(1, CLOSED), T0)).isEmpty();
        assertThat(m.on(new Input.ConnectDue(1), T0)).isEmpty();
        assertThat(m.on(new Input.Opened(1), T0)).containsExactly(new Effect.DiscardSocket(1));
        assertThat(m.phase()).isEqualTo(Phase.RECONNECTING);
    }

    @Test
    void hangupCallsOpenAiOnceAndEndsWhenTheSocketClosesAfterItsAcceptance() {
        CallMachine m = live(true);
        assertThat(m.on(new Input.HangupRequested(EndReason.OPERATOR_HANGUP), T0))
                .containsExactly(new Effect.CallOpenAiHangup(EndReason.OPERATOR_HANGUP));
        assertThat(m.on(new Input.HangupRequested(EndReason.AGENT_HANGUP), T0)).as("one hang-up at a time").isEmpty();
        assertThat(m.hangingUp()).isTrue();
        assertThat(m.on(new Input.HangupAnswered(EndReason.OPERATOR_HANGUP, HangupAnswer.ACCEPTED), T0))
                .containsExactly(new Effect.ScheduleHangupCloseCheck(CallMachine.HANGUP_CLOSE_GRACE));
        assertThat(m.phase()).isEqualTo(Phase.LIVE);
        assertThat(m.on(new Input.Dropped(1, CLOSED), T0)).containsExactly(new Effect.End(EndReason.OPERATOR_HANGUP));
    }

    @Test
    void aCloseFrameRacingAheadOfTheHangupAnswerWaitsForItInsteadOfReattaching() {
        CallMachine m = live(true);
        m.on(new Input.HangupRequested(EndReason.AGENT_HANGUP), T0);
        assertThat(m.on(new Input.Dropped(1, CLOSED), T0)).as("no re-attach").isEmpty();
        assertThat(m.on(new Input.ConnectDue(1), T0)).isEmpty();
        assertThat(m.on(new Input.HangupAnswered(EndReason.AGENT_HANGUP, HangupAnswer.ACCEPTED), T0.plusMillis(50)))
                .containsExactly(new Effect.End(EndReason.AGENT_HANGUP));
        assertThat(m.endReason()).isEqualTo(EndReason.AGENT_HANGUP);
    }

    @Test
    void aCloseDuringAHangupThatOpenAiRefusesIsTreatedAsADrop() {
        CallMachine m = live(true);
        m.on(new Input.HangupRequested(EndReason.OPERATOR_HANGUP), T0);
        m.on(new Input.Dropped(1, RESET), T0);
        assertThat(m.on(new Input.HangupAnswered(EndReason.OPERATOR_HANGUP, HangupAnswer.FAILED), T0))
                .singleElement().isInstanceOf(Effect.ScheduleConnect.class);
        assertThat(m.hangingUp()).isFalse();
        assertThat(m.on(new Input.HangupRequested(EndReason.OPERATOR_HANGUP), T0)).as("may be asked again")
                .containsExactly(new Effect.CallOpenAiHangup(EndReason.OPERATOR_HANGUP));
    }

    @Test
    void aRefusedHangupOnALiveSocketKeepsTheCall() {
        CallMachine m = live(true);
        m.on(new Input.HangupRequested(EndReason.OPERATOR_HANGUP), T0);
        assertThat(m.on(new Input.HangupAnswered(EndReason.OPERATOR_HANGUP, HangupAnswer.FAILED), T0)).isEmpty();
        assertThat(m.phase()).isEqualTo(Phase.LIVE);
    }

    @Test
    void aHangupAnsweredGoneEndsTheCallAtOnce() {
        CallMachine m = live(true);
        m.on(new Input.HangupRequested(EndReason.OPERATOR_HANGUP), T0);
        assertThat(m.on(new Input.HangupAnswered(EndReason.OPERATOR_HANGUP, HangupAnswer.GONE), T0))
                .containsExactly(new Effect.End(EndReason.OPERATOR_HANGUP));
    }

    @Test
    void anAcceptedHangupWhoseSocketStaysOpenEndsAfterTheGrace() {
        CallMachine m = live(true);
        m.on(new Input.HangupRequested(EndReason.OPERATOR_HANGUP), T0);
        m.on(new Input.HangupAnswered(EndReason.OPERATOR_HANGUP, HangupAnswer.ACCEPTED), T0);
        assertThat(m.on(new Input.HangupCloseOverdue(), T0.plusSeconds(5)))
                .containsExactly(new Effect.End(EndReason.OPERATOR_HANGUP));
    }

    @Test
    void aCloseOverdueWithoutAnAcceptedHangupDoesNothing() {
        CallMachine m = live(true);
        assertThat(m.on(new Input.HangupCloseOverdue(), T0)).isEmpty();
    }

    @Test
    void theEndReasonIsDecidedOnceWhateverArrivesAfterwards() {
        CallMachine m = live(true);
        m.on(new Input.Dropped(1, RESET), T0);
        m.on(new Input.ConnectDue(2), T0);
        m.on(new Input.Dropped(2, GONE), T0);
        assertThat(m.endReason()).isEqualTo(EndReason.CALLER_HANGUP);
        assertThat(m.on(new Input.HangupRequested(EndReason.OPERATOR_HANGUP), T0)).isEmpty();
        assertThat(m.on(new Input.HangupAnswered(EndReason.OPERATOR_HANGUP, HangupAnswer.ACCEPTED), T0)).isEmpty();
        assertThat(m.on(new Input.ReleaseRequested("handoff"), T0)).isEmpty();
        assertThat(m.on(new Input.OwnershipLost(), T0)).isEmpty();
        assertThat(m.endReason()).isEqualTo(EndReason.CALLER_HANGUP);
        assertThat(m.phase()).isEqualTo(Phase.ENDED);
    }

    @Test
    void aReleaseWinsOverADropThatArrivesAfterIt() {
        CallMachine m = live(true);
        assertThat(m.on(new Input.ReleaseRequested("handoff"), T0)).containsExactly(new Effect.Release("handoff"));
        assertThat(m.on(new Input.Dropped(1, CLOSED), T0)).isEmpty();
        assertThat(m.on(new Input.Opened(2), T0)).containsExactly(new Effect.DiscardSocket(2));
        assertThat(m.phase()).isEqualTo(Phase.RELEASED);
    }

    @Test
    void aDropThatArrivesBeforeAReleaseIsRetriedAndTheReleaseStillWins() {
        CallMachine m = live(true);
        m.on(new Input.Dropped(1, RESET), T0);
        assertThat(m.on(new Input.ReleaseRequested("handoff"), T0)).containsExactly(new Effect.Release("handoff"));
        assertThat(m.on(new Input.ConnectDue(2), T0)).as("no attach after the release").isEmpty();
    }

    @Test
    void losingOwnershipStopsWithoutWritesAndBeatsAPendingHangupAnswer() {
        CallMachine m = live(true);
        m.on(new Input.HangupRequested(EndReason.OPERATOR_HANGUP), T0);
        assertThat(m.on(new Input.OwnershipLost(), T0)).containsExactly(new Effect.Stop("ownership_lost"));
        assertThat(m.on(new Input.HangupAnswered(EndReason.OPERATOR_HANGUP, HangupAnswer.ACCEPTED), T0)).isEmpty();
        assertThat(m.phase()).isEqualTo(Phase.DISOWNED);
        assertThat(m.endReason()).isNull();
    }

    @Test
    void anAbandonedCallWritesNothing() {
        CallMachine m = live(true);
        assertThat(m.on(new Input.Abandon(), T0)).containsExactly(new Effect.Stop("abandoned"));
        assertThat(m.phase()).isEqualTo(Phase.ABANDONED);
    }

    @Test
    void aDropWhileConnectingForTheFirstTimeIsRetriedToo() {
        CallMachine m = machine(true);
        m.start();
        assertThat(m.on(new Input.Dropped(1, RESET), T0)).singleElement().isInstanceOf(Effect.ScheduleConnect.class);
        m.on(new Input.ConnectDue(2), T0);
        assertThat(m.on(new Input.Opened(2), T0)).as("still the first attach: greets")
                .containsExactly(new Effect.Greet(), new Effect.Attached(true));
    }

    @Test
    void anAttachRefused404BeforeTheFirstOpenEndsAsCallerHangup() {
        CallMachine m = machine(true);
        m.start();
        assertThat(m.on(new Input.Dropped(1, GONE), T0)).containsExactly(new Effect.End(EndReason.CALLER_HANGUP));
    }

    @Test
    void aHangupRequestedWhileReconnectingEndsOnAcceptanceWithoutASocket() {
        CallMachine m = live(true);
        m.on(new Input.Dropped(1, RESET), T0);
        assertThat(m.on(new Input.HangupRequested(EndReason.OPERATOR_HANGUP), T0))
                .containsExactly(new Effect.CallOpenAiHangup(EndReason.OPERATOR_HANGUP));
        assertThat(m.on(new Input.HangupAnswered(EndReason.OPERATOR_HANGUP, HangupAnswer.ACCEPTED), T0))
                .containsExactly(new Effect.End(EndReason.OPERATOR_HANGUP));
    }

    @Test
    void theGreetingIsRecordedOnceWhenOpenAiStartsTheFirstResponse() {
        CallMachine m = live(true);
        assertThat(m.greetingDue()).isTrue();
        assertThat(m.on(new Input.Greeted(), T0)).containsExactly(new Effect.RecordGreeted());
        assertThat(m.greetingDue()).isFalse();
        assertThat(m.on(new Input.Greeted(), T0.plusSeconds(5))).as("later responses record nothing").isEmpty();
    }

    @Test
    void aCallClaimedButNeverGreetedIsGreetedWhenTakenOver() {
        // the dead owner claimed the call and never got the greeting out: the stored greeting is still due
        CallMachine m = machine(true);
        m.start();
        assertThat(m.on(new Input.Opened(1), T0)).containsExactly(new Effect.Greet(), new Effect.Attached(true));
    }

    @Test
    void aGreetingSentButNeverConfirmedIsSentAgainOnTheReattachRatherThanRiskSilence() {
        CallMachine m = live(true); // greeted on socket 1; the socket drops before OpenAI's response.created
        m.on(new Input.Dropped(1, RESET), T0);
        m.on(new Input.ConnectDue(2), T0.plusMillis(300));
        assertThat(m.on(new Input.Opened(2), T0.plusMillis(400)))
                .containsExactly(new Effect.Greet(), new Effect.Attached(false));
        assertThat(m.on(new Input.Greeted(), T0.plusMillis(500))).containsExactly(new Effect.RecordGreeted());
    }

    @Test
    void aCallWhoseCallerSpokeFirstCountsAsGreeted() {
        // the caller spoke first (or no greeting is configured): the caller hears the agent, nothing is due
        CallMachine m = live(true);
        m.on(new Input.Greeted(), T0);
        m.on(new Input.Dropped(1, CLOSED), T0);
        m.on(new Input.ConnectDue(2), T0.plusMillis(300));
        assertThat(m.on(new Input.Opened(2), T0.plusMillis(400))).containsExactly(new Effect.Attached(false));
    }

    @Test
    void aResponseAfterTheCallEndedRecordsNothing() {
        CallMachine m = live(true);
        m.on(new Input.ReleaseRequested("handoff"), T0);
        assertThat(m.on(new Input.Greeted(), T0)).isEmpty();
        assertThat(m.greetingDue()).as("released while due: the next owner greets").isTrue();
    }

    @Test
    void endReasonsAreCodes() {
        assertThat(EndReason.codeOr("warm_transfer_complete", EndReason.OPERATOR_HANGUP).code())
                .isEqualTo("warm_transfer_complete");
        assertThat(EndReason.codeOr("The caller asked", EndReason.OPERATOR_HANGUP)).isEqualTo(EndReason.OPERATOR_HANGUP);
        assertThat(EndReason.codeOr(null, EndReason.AGENT_HANGUP)).isEqualTo(EndReason.AGENT_HANGUP);
    }
}
