package ai.phoneagent.simulator.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.type.PhoneNumber;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeTwilioTest {
    private static final String SID = "AC0123456789abcdef0123456789abcdef";
    private static final String TOKEN = "fake-auth-token-never-logged";
    private final FakeTwilio twilio = FakeTwilio.start(SID, TOKEN);
    private final TwilioRestClient client = twilio.restClient(SID, TOKEN);

    @AfterEach
    void stop() {
        twilio.close();
    }

    @Test
    void twilioJavaCreatesAConferenceParticipantAgainstTheFake() {
        Participant participant = Participant.creator(SID, "support-room-42",
                        new PhoneNumber("+18005550199"), new PhoneNumber("+14155550111"))
                .setLabel("human")
                .setEarlyMedia(true)
                .setCallToken("token-from-sip-header")
                .setStatusCallback("https://example.com/twilio/status")
                .setStatusCallbackEvent(List.of("join", "leave"))
                .create(client);

        assertThat(participant.getCallSid()).startsWith("CA").hasSize(34);
        assertThat(participant.getConferenceSid()).startsWith("CF").hasSize(34);
        assertThat(participant.getLabel()).isEqualTo("human");
        assertThat(participant.getStatus()).isEqualTo(Participant.Status.QUEUED);
        assertThat(participant.getAccountSid()).isEqualTo(SID);

        TwilioRequest request = twilio.participantCreations().getFirst();
        assertThat(request.authAccountSid()).isEqualTo(SID);
        assertThat(request.pathParams()).containsEntry("AccountSid", SID).containsEntry("ConferenceSid", "support-room-42");
        assertThat(request.param("From")).isEqualTo("+18005550199");
        assertThat(request.param("To")).isEqualTo("+14155550111");
        assertThat(request.param("Label")).isEqualTo("human");
        assertThat(request.param("EarlyMedia")).isEqualTo("true");
        assertThat(request.param("CallToken")).isEqualTo("token-from-sip-header");
        assertThat(request.params("StatusCallbackEvent")).containsExactly("join", "leave");
        assertThat(request.status()).isEqualTo(201);
        assertThat(twilio.requests().toString()).doesNotContain(TOKEN);
    }

    @Test
    void aScriptedTwilioErrorSurfacesAsApiExceptionWithTwiliosCode() {
        twilio.answerNext(TwilioAnswer.invalidTo());

        assertThatThrownBy(() -> Participant.creator(SID, "room", new PhoneNumber("+18005550199"),
                new PhoneNumber("+1")).create(client))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(21211);
                    assertThat(e.getStatusCode()).isEqualTo(400);
                });
        assertThat(twilio.requests()).extracting(TwilioRequest::status).containsExactly(400);
    }

    @Test
    void twilioJavaItselfRetriesA5xxSoOneCreateCanReachTwilioSeveralTimes() {
        twilio.answerNext(TwilioAnswer.serverError(), TwilioAnswer.serverError(), TwilioAnswer.serverError());

        assertThatThrownBy(() -> Participant.creator(SID, "room", new PhoneNumber("+18005550199"),
                new PhoneNumber("+14155550111")).create(client))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getStatusCode()).isEqualTo(500));
        assertThat(twilio.participantCreations()).extracting(TwilioRequest::status).containsExactly(500, 500, 500);
    }

    @Test
    void wrongCredentialsGetTwilios401() {
        TwilioRestClient intruder = twilio.restClient(SID, "wrong-token");

        assertThatThrownBy(() -> Participant.creator(SID, "room", new PhoneNumber("+18005550199"),
                new PhoneNumber("+14155550111")).create(intruder))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(20003));
    }

    @Test
    void aCallUpdateIsRecorded() {
        Call call = Call.updater(SID, "CA0123456789abcdef0123456789abcdef").setStatus(Call.UpdateStatus.COMPLETED)
                .update(client);

        assertThat(call.getSid()).isEqualTo("CA0123456789abcdef0123456789abcdef");
        assertThat(call.getStatus()).isEqualTo(Call.Status.COMPLETED);
        TwilioRequest request = twilio.awaitRequest(r -> r.route().equals(TwilioRequest.UPDATE_CALL),
                java.time.Duration.ofSeconds(5));
        assertThat(request.pathParams()).containsEntry("Sid", "CA0123456789abcdef0123456789abcdef");
        assertThat(request.param("Status")).isEqualTo("completed");
    }

    @Test
    void aParticipantCanBeTakenOffHoldAndRemoved() {
        Participant updated = Participant.updater(SID, "CF0123456789abcdef0123456789abcdef",
                "CA0123456789abcdef0123456789abcdef").setHold(false).update(client);
        boolean deleted = Participant.deleter(SID, "CF0123456789abcdef0123456789abcdef",
                "CA0123456789abcdef0123456789abcdef").delete(client);

        assertThat(updated.getHold()).isFalse();
        assertThat(deleted).isTrue();
        assertThat(twilio.requests()).extracting(TwilioRequest::route)
                .containsExactly(TwilioRequest.UPDATE_PARTICIPANT, TwilioRequest.DELETE_PARTICIPANT);
    }
}
