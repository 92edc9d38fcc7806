package ai.phoneagent.control.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.control.TwilioSigner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TwilioSignatureTest {
    /** Twilio's documented example (security docs): auth token 12345. */
    private static final String DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
    private static final List<Map.Entry<String, String>> DOC_PARAMS = List.of(
            Map.entry("To", "+18005551212"), Map.entry("From", "+14158675310"), Map.entry("Digits", "1234"),
            Map.entry("Caller", "+14158675310"), Map.entry("CallSid", "CA1234567890ABCDE"));
    private static final String DOC_SIGNATURE = "GvWf1cFY/Q7PnoempGyD5oXAezc=";

    @Test
    void matchesTwiliosDocumentedKnownAnswer() {
        assertThat(TwilioSignature.compute("12345", DOC_URL, DOC_PARAMS)).isEqualTo(DOC_SIGNATURE);
        assertThat(TwilioSignature.isValid("12345", DOC_URL, DOC_PARAMS, DOC_SIGNATURE)).isTrue();
    }

    @Test
    void matchesAnIndependentComputationForAConferenceCallback() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("StatusCallbackEvent", "participant-join");
        params.put("ParticipantLabel", "human agent");
        params.put("FriendlyName", "conf-rtc_1");
        params.put("ConferenceSid", "CF0001");
        params.put("CallSid", "CA0002");
        params.put("AccountSid", "AC0003");
        String url = "https://control.example.test/twilio/conference-events?callId=rtc_1";
        String expected = TwilioSigner.sign("secret-token", url, params);
        List<Map.Entry<String, String>> entries = List.copyOf(params.entrySet());
        assertThat(TwilioSignature.compute("secret-token", url, entries)).isEqualTo(expected);
        assertThat(TwilioSignature.isValid("secret-token", url, entries, expected)).isTrue();
    }

    @Test
    void anythingChangedBreaksTheSignature() {
        assertThat(TwilioSignature.isValid("12346", DOC_URL, DOC_PARAMS, DOC_SIGNATURE)).isFalse();
        assertThat(TwilioSignature.isValid("12345", DOC_URL + "&baz=3", DOC_PARAMS, DOC_SIGNATURE)).isFalse();
        assertThat(TwilioSignature.isValid("12345", DOC_URL, List.of(Map.entry("To", "+18005551212")), DOC_SIGNATURE))
                .isFalse();
        assertThat(TwilioSignature.isValid("12345", DOC_URL, DOC_PARAMS, "GvWf1cFY/Q7PnoempGyD5oXAezd=")).isFalse();
        assertThat(TwilioSignature.isValid("12345", DOC_URL, DOC_PARAMS, "")).isFalse();
        assertThat(TwilioSignature.isValid("12345", DOC_URL, DOC_PARAMS, null)).isFalse();
    }

    @Test
    void theDefaultPortMayBePresentOrAbsentInWhatTwilioSigned() {
        String signedWithPort = TwilioSignature.compute("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                DOC_PARAMS);
        assertThat(TwilioSignature.isValid("12345", DOC_URL, DOC_PARAMS, signedWithPort)).isTrue();
        assertThat(TwilioSignature.isValid("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", DOC_PARAMS,
                DOC_SIGNATURE)).isTrue();
        String otherPort = TwilioSignature.compute("12345", "https://mycompany.com:8443/myapp.php?foo=1&bar=2",
                DOC_PARAMS);
        assertThat(TwilioSignature.isValid("12345", DOC_URL, DOC_PARAMS, otherPort)).isFalse();
    }

    @Test
    void formBodiesDecodePlusAndPercentEscapes() {
        FormBody form = FormBody.parse("ParticipantLabel=human+agent&FriendlyName=conf%2Drtc_1&Empty=&Flag");
        assertThat(form.first("ParticipantLabel")).contains("human agent");
        assertThat(form.first("FriendlyName")).contains("conf-rtc_1");
        assertThat(form.first("Empty")).contains("");
        assertThat(form.first("Flag")).contains("");
        assertThat(form.first("Missing")).isEmpty();
    }
}
