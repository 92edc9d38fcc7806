package ai.phoneagent.control.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.control.Events;
import ai.phoneagent.control.e2e.E2eBed.Reply;
import ai.phoneagent.simulator.twilio.Callee;
import ai.phoneagent.simulator.twilio.TwilioAnswer;
import ai.phoneagent.simulator.twilio.TwilioRequest;
import ai.phoneagent.testing.EmbeddedAws;
import ai.phoneagent.testing.TestKeys;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound API against DynamoDB Local and fake Twilio (no callee ever answers here): templates, launching from a
 * template, reading launches page by page, quiet hours, and Twilio refusing the call.
 */
class OutboundApiTest {
    private final E2eBed bed = new E2eBed(EmbeddedAws.shared());

    OutboundApiTest() {
        bed.twilio.scriptDefaultCallee(Callee.noAnswer(Duration.ofMinutes(5)));
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    private ControlHandler control(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_API_BASE_URL", bed.twilio.baseUrl().toString());
        env.put("TWILIO_OUTBOUND_FROM", "+15550100000");
        env.put("OPENAI_SIP_URI", "sip:proj_test@sip.api.openai.com;transport=tls");
        env.putAll(overrides);
        return bed.control(env);
    }

    private Reply send(ControlHandler control, String method, String path, String query, String json) {
        Events.Builder event = Events.request(method, path).query(query).bearer(TestKeys.CONTROL_API_TOKEN);
        if (json != null) {
            event.json(json);
        }
        return bed.send(control, event.build());
    }

    @Test
    void templatesAreCreatedListedReadUpdatedDeletedAndUsedByLaunches() {
        ControlHandler control = control(Map.of());

        Reply created = send(control, "POST", "/control/outbound/templates", "", """
                {"template_id": "reminder", "name": "Appointment reminder", "instructions": "Remind them kindly.",
                 "opening": "Hi, a quick reminder from Acme.", "voice": "verse"}""");
        Reply duplicate = send(control, "POST", "/control/outbound/templates", "", "{\"template_id\":\"reminder\"}");
        Reply updated = send(control, "PUT", "/control/outbound/templates/reminder", "", """
                {"name": "Reminder v2", "instructions": "Remind them very kindly.", "opening": "Hello from Acme!",
                 "voice": "verse", "model": "gpt-realtime"}""");
        Reply launched = send(control, "POST", "/control/outbound", "", """
                {"to": "+15550161001", "template": "reminder", "voice": "alloy"}""");

        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(updated.status()).isEqualTo(200);
        assertThat(send(control, "GET", "/control/outbound/templates/reminder", "", null).body()
                .at("/template/name").asText()).isEqualTo("Reminder v2");
        assertThat(send(control, "GET", "/control/outbound/templates", "", null).body().path("templates"))
                .hasSize(1);
        assertThat(launched.status()).as(launched.raw()).isEqualTo(200);
        assertThat(launched.body().at("/launch/instructions").asText()).isEqualTo("Remind them very kindly.");
        assertThat(launched.body().at("/launch/opening").asText()).isEqualTo("Hello from Acme!");
        assertThat(launched.body().at("/launch/voice").asText()).as("the request overrides the template")
                .isEqualTo("alloy");
        assertThat(launched.body().at("/launch/model").asText()).isEqualTo("gpt-realtime");

        assertThat(send(control, "DELETE", "/control/outbound/templates/reminder", "", null).status()).isEqualTo(200);
        assertThat(send(control, "GET", "/control/outbound/templates/reminder", "", null).code())
                .isEqualTo("template_not_found");
        Reply unknownTemplate = send(control, "POST", "/control/outbound", "", "{\"to\":\"+15550161002\",\"template\":\"reminder\"}");
        assertThat(unknownTemplate.status()).isEqualTo(404);
        assertThat(unknownTemplate.code()).isEqualTo("template_not_found");
        assertThat(bed.twilio.callCreations()).hasSize(1);
    }

    @Test
    void launchesAreListedNewestFirstPageByPageAndReadOneByOne() {
        ControlHandler control = control(Map.of());
        for (int i = 1; i <= 3; i++) {
            assertThat(send(control, "POST", "/control/outbound", "", "{\"to\":\"+1555016200" + i + "\"}").status())
                    .isEqualTo(200);
        }

        Reply first = send(control, "GET", "/control/outbound", "limit=2", null);
        Reply second = send(control, "GET", "/control/outbound", "limit=2&cursor=" + first.body().path("nextCursor").asText(),
                null);

        assertThat(first.body().path("launches")).hasSize(2);
        assertThat(first.body().at("/launches/0/to").asText()).isEqualTo("+15550162003");
        assertThat(second.body().path("launches")).hasSize(1);
        assertThat(second.body().path("nextCursor").isNull()).isTrue();
        Set<String> ids = new HashSet<>();
        first.body().path("launches").forEach(l -> ids.add(l.path("launch_id").asText()));
        second.body().path("launches").forEach(l -> ids.add(l.path("launch_id").asText()));
        assertThat(ids).hasSize(3);
        String one = ids.iterator().next();
        Reply detail = send(control, "GET", "/control/outbound/" + one, "", null);
        assertThat(detail.body().at("/launch/launch_id").asText()).isEqualTo(one);
        assertThat(detail.body().path("call").isNull()).as("not answered yet").isTrue();
        assertThat(send(control, "GET", "/control/outbound/ol_unknown", "", null).code()).isEqualTo("launch_not_found");
        assertThat(send(control, "GET", "/control/outbound", "cursor=forged.cursor", null).code())
                .isEqualTo("invalid_cursor");
    }

    @Test
    void quietHoursRefuseALaunchAndDialNobody() {
        LocalTime now = LocalTime.now(ZoneOffset.UTC);
        String window = now.minusHours(1).withSecond(0).withNano(0) + "-" + now.plusHours(1).withSecond(0).withNano(0);
        ControlHandler control = control(Map.of("OUTBOUND_QUIET_HOURS", window, "OUTBOUND_TIME_ZONE", "UTC"));

        Reply refused = send(control, "POST", "/control/outbound", "", "{\"to\":\"+15550163001\"}");

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("quiet_hours");
        assertThat(bed.twilio.callCreations()).isEmpty();
    }

    @Test
    void twilioRefusingTheCallIs502WithTwiliosCodeAndFreesTheNumber() {
        ControlHandler control = control(Map.of());
        bed.twilio.answerNext(TwilioAnswer.invalidTo());

        Reply refused = send(control, "POST", "/control/outbound", "", "{\"launch_id\":\"crm-1\",\"to\":\"+15550164001\"}");
        Reply retried = send(control, "POST", "/control/outbound", "", "{\"launch_id\":\"crm-1\",\"to\":\"+15550164001\"}");

        assertThat(retried.status()).as("the retry replays the refusal without dialling").isEqualTo(502);
        assertThat(retried.code()).isEqualTo("twilio_rejected");
        assertThat(retried.headers()).containsEntry("idempotent-replayed", "true");
        assertThat(retried.body().path("twilio_code").asText()).isEqualTo("21211");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.code()).isEqualTo("twilio_rejected");
        assertThat(refused.body().path("twilio_code").asText()).isEqualTo("21211");
        String launchId = refused.body().path("launch_id").asText();
        assertThat(send(control, "GET", "/control/outbound/" + launchId, "", null).body().at("/launch/status").asText())
                .isEqualTo("failed");
        Reply again = send(control, "POST", "/control/outbound", "", "{\"to\":\"+15550164001\"}");
        assertThat(again.status()).as("nobody was dialled, so the number is not blocked: %s", again.raw()).isEqualTo(200);
        assertThat(bed.twilio.callCreations()).extracting(TwilioRequest::status).containsExactly(400, 201);
    }

    @Test
    void withoutTwilioCredentialsLaunchesAre503() {
        ControlHandler control = control(Map.of("TWILIO_ACCOUNT_SID", "", "HUMAN_AGENT_NUMBER", "", "TRANSFER_TARGETS", ""));

        Reply reply = send(control, "POST", "/control/outbound", "", "{\"to\":\"+15550165001\"}");

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.code()).isEqualTo("twilio_not_configured");
    }
}
