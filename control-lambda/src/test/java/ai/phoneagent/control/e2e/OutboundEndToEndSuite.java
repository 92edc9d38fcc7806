package ai.phoneagent.control.e2e;

import static ai.phoneagent.control.e2e.E2eBed.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.config.Env;
import ai.phoneagent.control.ControlHandler;
import ai.phoneagent.control.Events;
import ai.phoneagent.control.TwilioSigner;
import ai.phoneagent.control.e2e.E2eBed.Reply;
import ai.phoneagent.outbound.LaunchKeys;
import ai.phoneagent.simulator.ConnectorRequest;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.simulator.twilio.Callee;
import ai.phoneagent.simulator.twilio.OutboundCall;
import ai.phoneagent.simulator.twilio.OutboundLine;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookSender;
import ai.phoneagent.testing.Await;
import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.TestKeys;
import ai.phoneagent.webhook.WebhookApp;
import ai.phoneagent.webhook.WebhookConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outbound calls end to end: the real control handler launches → DynamoDB → fake Twilio (through twilio-java at
 * {@code TWILIO_API_BASE_URL}) rings the callee and posts signed status callbacks to the control handler over HTTP →
 * on answer it bridges to the connector simulator and delivers the signed {@code realtime.call.incoming} webhook with
 * the TwiML's SIP headers to the real webhook handler → SQS → a real session worker → the simulator's WebSocket.
 */
abstract class OutboundEndToEndSuite {
    static final String FROM = "+15550100000";
    static final String SIP_URI = "sip:proj_test123@sip.api.openai.com;transport=tls";
    static final String INSTRUCTIONS = "You are Ava from Acme Dental. Confirm tomorrow's 9 am appointment.";
    static final String OPENING = "Hi, this is Ava from Acme Dental calling about your appointment.";

    abstract AwsBackend backend();

    E2eBed bed;
    HttpFront front;
    ControlHandler control;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        bed = new E2eBed(backend());
        Map<String, String> webhookEnv = new HashMap<>(bed.env(Map.of()));
        webhookEnv.put("OPENAI_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET);
        front = new HttpFront(WebhookApp.service(WebhookConfig.fromEnv(Env.of(webhookEnv)), Clock.systemUTC(),
                bed.store, bed.queue));
        control = control(Map.of());
        bed.twilio.connectOutbound(new OutboundLine(bed.sim, front.url("/openai/webhook"),
                new WebhookSender(TestKeys.WEBHOOK_SECRET, Clock.systemUTC(), RedeliveryPolicy.fast())));
        bed.startWorker(Map.of());
    }

    @AfterEach
    void stop() {
        try {
            assertThat(TestKeys.containsSecret(bed.logs())).as("log output contains a secret").isFalse();
            for (String body : bed.responses()) {
                assertThat(TestKeys.containsSecret(body)).as("response contains a secret: %s", body).isFalse();
                assertThat(body).doesNotContain("sipKeyHash").doesNotContain(LaunchKeys.KEY_HEADER);
            }
        } finally {
            front.close();
            bed.close();
        }
    }

    /** A control handler configured for outbound calls against fake Twilio, serving the front's Twilio routes too. */
    ControlHandler control(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_API_BASE_URL", bed.twilio.baseUrl().toString());
        env.put("TWILIO_OUTBOUND_FROM", FROM);
        env.put("OPENAI_SIP_URI", SIP_URI);
        env.put("OUTBOUND_STATUS_CALLBACK_URL", front.url("/twilio/outbound-status").toString());
        env.putAll(overrides);
        ControlHandler handler = bed.control(env);
        front.useControl(handler);
        return handler;
    }

    Reply launch(String json, String idempotencyKey) {
        Events.Builder event = Events.request("POST", "/control/outbound").bearer(TestKeys.CONTROL_API_TOKEN).json(json);
        if (idempotencyKey != null) {
            event.header("idempotency-key", idempotencyKey);
        }
        return bed.send(control, event.build());
    }

    Reply get(String path) {
        return bed.send(control, Events.request("GET", path).bearer(TestKeys.CONTROL_API_TOKEN).build());
    }

    JsonNode awaitLaunch(String launchId, String status) {
        return Await.value("launch " + launchId + " " + status, WAIT, () -> {
            JsonNode launch = get("/control/outbound/" + launchId).body();
            return launch.at("/launch/status").asText().equals(status) ? launch : null;
        });
    }

    static List<String> timeline(JsonNode launch) {
        return StreamSupport.stream(launch.at("/launch/timeline").spliterator(), false)
                .map(e -> e.path("status").asText()).toList();
    }

    // ------------------------------------------------------------------ answered

    @Test
    void anAnsweredLaunchIsAcceptedWithItsProfileSpeaksItsOpeningAndEndsCompletedLinkedToTheCall() {
        String to = "+15550142001";
        bed.twilio.scriptCallee(to, Callee.answers(Duration.ofMillis(300), Scenario.of("callee",
                Step.await(AwaitTarget.GREETING), Step.caller("Oh hi, yes, that's me."), Step.hangup(true))));

        Reply reply = launch("""
                {"to": "%s", "instructions": "%s", "opening": "%s", "voice": "verse", "model": "gpt-realtime-mini",
                 "callee_name": "Sam Lee", "objective": "confirm the appointment", "metadata": {"crm_id": "42"}}"""
                .formatted(to, INSTRUCTIONS, OPENING), null);

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        assertThat(reply.body().path("ok").asBoolean()).isTrue();
        assertThat(reply.body().path("status").asText()).as("Twilio's first callbacks may come first").isIn("queued", "ringing");
        String launchId = reply.body().path("launch_id").asText();
        String callSid = reply.body().path("twilio_call_sid").asText();
        assertThat(callSid).startsWith("CA");

        OutboundCall dialled = bed.twilio.awaitOutboundCall(c -> c.sid().equals(callSid) && c.openAiCallId() != null, WAIT);
        assertThat(dialled.to()).isEqualTo(to);
        assertThat(dialled.from()).isEqualTo(FROM);
        assertThat(dialled.twiml()).contains("<Sip>" + SIP_URI + "?X-Launch-Id=" + launchId + "&amp;X-Launch-Key=");
        assertThat(dialled.sipHeader("X-Launch-Id")).isEqualTo(launchId);
        String callId = dialled.openAiCallId();

        JsonNode accept = bed.sim.awaitRequest(callId, ConnectorRequest.Endpoint.ACCEPT, WAIT).json();
        assertThat(accept.path("instructions").asText()).startsWith(INSTRUCTIONS).contains("Sam Lee")
                .contains("confirm the appointment");
        assertThat(accept.at("/audio/output/voice").asText()).isEqualTo("verse");
        assertThat(accept.path("model").asText()).isEqualTo("gpt-realtime-mini");
        JsonNode first = bed.sim.awaitClientEvent(callId, "response.create", WAIT);
        assertThat(first.at("/response/instructions").asText()).isEqualTo("Say exactly '" + OPENING + "' now.");
        assertThat(bed.sim.clientEvents(callId).getFirst()).isEqualTo(first);

        JsonNode done = awaitLaunch(launchId, "completed");
        assertThat(timeline(done)).containsExactly("requested", "queued", "ringing", "answered", "in_call", "completed");
        assertThat(done.at("/launch/call_id").asText()).isEqualTo(callId);
        assertThat(done.at("/launch/metadata/crm_id").asText()).isEqualTo("42");
        CallRecord call = Await.value("the call ends", WAIT,
                () -> bed.call(callId).status() == CallStatus.ENDED ? bed.call(callId) : null);
        assertThat(call.direction()).isEqualTo("outbound");
        assertThat(call.launchId()).isEqualTo(launchId);
        assertThat(call.opening()).isEqualTo(OPENING);
        assertThat(get("/control/outbound/" + launchId).body().at("/call/direction").asText()).isEqualTo("outbound");
        JsonNode view = get("/control/calls/" + callId).body().get("call");
        assertThat(view.get("direction").asText()).as("operators see the direction").isEqualTo("outbound");
        assertThat(view.get("launchId").asText()).isEqualTo(launchId);
        assertThat(dialled.callbacks()).allSatisfy(cb -> assertThat(cb.httpStatus()).isEqualTo(204));
        assertThat(bed.logs()).as("the SIP key is never logged").doesNotContain(dialled.sipHeader("X-Launch-Key"));
    }

    @Test
    void anEmptyOpeningLetsTheModelOpenFromItsInstructions() {
        String to = "+15550142002";
        bed.twilio.scriptCallee(to, Callee.answers(Duration.ofMillis(100), Scenario.of("callee",
                Step.await(AwaitTarget.RESPONSE_CREATE), Step.hangup(true))));
        Reply reply = launch("{\"to\":\"" + to + "\",\"instructions\":\"" + INSTRUCTIONS + "\",\"opening\":\"\"}", null);
        String callSid = reply.body().path("twilio_call_sid").asText();
        String callId = bed.twilio.awaitOutboundCall(c -> c.sid().equals(callSid) && c.openAiCallId() != null, WAIT)
                .openAiCallId();

        JsonNode first = bed.sim.awaitClientEvent(callId, "response.create", WAIT);
        assertThat(first.has("response")).as("no scripted words: %s", first).isFalse();
        assertThat(bed.sim.clientEvents(callId).getFirst()).isEqualTo(first);
    }

    // ------------------------------------------------------------------ unanswered

    @Test
    void busyNoAnswerAndVoicemailEachEndTheLaunchWithTheirStatus() {
        control = control(Map.of("OUTBOUND_MACHINE_DETECTION", "true",
                "OUTBOUND_VOICEMAIL_MESSAGE", "Please call Acme Dental back at your convenience."));
        bed.twilio.scriptCallee("+15550143001", Callee.busy(Duration.ofMillis(100)));
        bed.twilio.scriptCallee("+15550143002", Callee.noAnswer(Duration.ofMillis(300)));
        bed.twilio.scriptCallee("+15550143003", Callee.machine(Duration.ofMillis(200)));

        String busy = launch("{\"to\":\"+15550143001\"}", null).body().path("launch_id").asText();
        String noAnswer = launch("{\"to\":\"+15550143002\"}", null).body().path("launch_id").asText();
        Reply machineReply = launch("{\"to\":\"+15550143003\"}", null);
        String machine = machineReply.body().path("launch_id").asText();

        JsonNode busyLaunch = awaitLaunch(busy, "busy");
        assertThat(timeline(busyLaunch)).containsExactly("requested", "queued", "ringing", "busy");
        assertThat(busyLaunch.at("/launch/timeline/3/code").asText()).isEqualTo("486");
        assertThat(busyLaunch.at("/launch/error/code").asText()).isEqualTo("486");
        assertThat(timeline(awaitLaunch(noAnswer, "no_answer"))).containsExactly("requested", "queued", "ringing",
                "no_answer");
        JsonNode voicemail = awaitLaunch(machine, "voicemail");
        assertThat(timeline(voicemail)).endsWith("answered", "voicemail");
        assertThat(voicemail.at("/launch/timeline/4/code").asText()).isEqualTo("machine_end_beep");
        OutboundCall machineCall = bed.twilio.awaitOutboundCall(
                c -> c.sid().equals(machineReply.body().path("twilio_call_sid").asText()) && c.finished(), WAIT);
        assertThat(machineCall.machineDetection()).isEqualTo("DetectMessageEnd");
        assertThat(machineCall.updates()).singleElement().asString()
                .contains("<Say>Please call Acme Dental back at your convenience.</Say>").contains("<Hangup");
        assertThat(machineCall.openAiCallId()).as("a machine is never bridged to the agent").isNull();
        assertThat(get("/control/outbound/" + machine).body().at("/launch/status").asText())
                .as("the final 'completed' callback does not overwrite voicemail").isEqualTo("voicemail");
    }

    @Test
    void aMachineIsHungUpWhenNoVoicemailMessageIsConfigured() {
        control = control(Map.of("OUTBOUND_MACHINE_DETECTION", "true"));
        bed.twilio.scriptCallee("+15550143004", Callee.machine(Duration.ofMillis(100)));

        Reply reply = launch("{\"to\":\"+15550143004\"}", null);
        JsonNode voicemail = awaitLaunch(reply.body().path("launch_id").asText(), "voicemail");
        OutboundCall call = bed.twilio.awaitOutboundCall(
                c -> c.sid().equals(reply.body().path("twilio_call_sid").asText()) && c.finished(), WAIT);

        assertThat(call.updates()).containsExactly("Status=completed");
        assertThat(voicemail.at("/launch/timeline").findValuesAsText("detail")).contains("hung up");
    }

    // ------------------------------------------------------------------ idempotency

    @Test
    void aRetriedLaunchDialsOnce() {
        String to = "+15550144001";
        bed.twilio.scriptCallee(to, Callee.noAnswer(Duration.ofSeconds(2)));
        bed.twilio.scriptCallee("+15550144003", Callee.noAnswer(Duration.ofSeconds(30)));
        String body = "{\"to\":\"" + to + "\",\"instructions\":\"" + INSTRUCTIONS + "\"}";

        Reply first = launch(body, "crm-task-7781");
        Reply retry = launch(body, "crm-task-7781");

        assertThat(first.status()).isEqualTo(200);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.headers()).containsEntry("idempotent-replayed", "true");
        assertThat(retry.body().path("launch_id").asText()).isEqualTo(first.body().path("launch_id").asText());
        assertThat(retry.body().path("twilio_call_sid").asText()).isEqualTo(first.body().path("twilio_call_sid").asText());
        Reply another = launch(body.replace(to, "+15550144002"), "crm-task-7781");
        assertThat(another.status()).as("the same key for another number").isEqualTo(409);
        assertThat(bed.twilio.callCreations()).hasSize(1);

        String named = "{\"launch_id\":\"crm-task-7782\",\"to\":\"+15550144003\"}";
        Reply byId = launch(named, null);
        Reply byIdAgain = launch(named, null);
        assertThat(byIdAgain.body().path("twilio_call_sid").asText()).isEqualTo(byId.body().path("twilio_call_sid").asText());
        assertThat(byIdAgain.body().path("launch_id").asText()).isEqualTo("crm-task-7782");
        assertThat(launch("{\"launch_id\":\"no spaces\",\"to\":\"+15550144004\"}", null).code())
                .isEqualTo("invalid_launch_id");
        assertThat(bed.twilio.callCreations()).hasSize(2);
    }

    // ------------------------------------------------------------------ guardrails

    @Test
    void aDestinationOutsideTheAllowListIsRefusedAndNobodyIsDialled() {
        Reply reply = launch("{\"to\":\"+447700900123\"}", null);

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.code()).isEqualTo("destination_not_allowed");
        assertThat(bed.twilio.callCreations()).isEmpty();
        assertThat(get("/control/outbound").body().path("launches")).isEmpty();
    }

    @Test
    void aRepeatCallToTheSameNumberWithinTheIntervalIsRefused() {
        String to = "+15550145001";
        bed.twilio.scriptCallee(to, Callee.busy(Duration.ofMillis(50)));
        String first = launch("{\"to\":\"" + to + "\"}", null).body().path("launch_id").asText();
        awaitLaunch(first, "busy");

        Reply again = launch("{\"to\":\"" + to + "\"}", null);

        assertThat(again.status()).isEqualTo(429);
        assertThat(again.code()).isEqualTo("destination_recently_called");
        assertThat(bed.twilio.callCreations()).hasSize(1);
    }

    @Test
    void theConcurrencyCapRefusesALaunchWhileTheOthersAreInProgress() {
        control = control(Map.of("OUTBOUND_MAX_CONCURRENT", "1"));
        bed.twilio.scriptCallee("+15550146001", Callee.noAnswer(Duration.ofSeconds(3)));
        String first = launch("{\"to\":\"+15550146001\"}", null).body().path("launch_id").asText();

        Reply second = launch("{\"to\":\"+15550146002\"}", null);

        assertThat(second.status()).isEqualTo(429);
        assertThat(second.code()).isEqualTo("outbound_concurrency_limit");
        assertThat(bed.twilio.callCreations()).hasSize(1);
        awaitLaunch(first, "no_answer");
        Reply third = launch("{\"to\":\"+15550146002\"}", null);
        assertThat(third.status()).as("the slot is free once the first call ended: %s", third.raw()).isEqualTo(200);
        assertThat(bed.twilio.callCreations()).hasSize(2);
    }

    // ------------------------------------------------------------------ forgeries and replays

    @Test
    void aForgedStatusCallbackChangesNothing() throws Exception {
        String to = "+15550147001";
        bed.twilio.scriptCallee(to, Callee.noAnswer(Duration.ofSeconds(30))); // still ringing when the test ends
        Reply launched = launch("{\"to\":\"" + to + "\"}", null);
        String launchId = launched.body().path("launch_id").asText();
        JsonNode before = awaitLaunch(launchId, "ringing").path("launch");
        URI url = front.url("/twilio/outbound-status?launchId=" + launchId);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("CallSid", launched.body().path("twilio_call_sid").asText());
        form.put("CallStatus", "completed");

        int unsigned = post(url, form, null);
        int wrongKey = post(url, form, TwilioSigner.sign("not-the-auth-token", url.toString(), form));
        int otherLaunch = post(front.url("/twilio/outbound-status?launchId=ol_other"), form,
                TwilioSigner.sign(TestKeys.TWILIO_AUTH_TOKEN, url.toString(), form)); // signed for another URL

        assertThat(List.of(unsigned, wrongKey, otherLaunch)).containsOnly(403);
        JsonNode after = get("/control/outbound/" + launchId).body().path("launch");
        assertThat(after.path("status").asText()).isEqualTo("ringing");
        assertThat(after.path("timeline")).isEqualTo(before.path("timeline"));
    }

    private int post(URI url, Map<String, String> form, String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(TwilioSigner.form(form)));
        if (signature != null) {
            request.header("X-Twilio-Signature", signature);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void anUnknownOrAlreadyUsedLaunchIdGetsTheInboundProfile() {
        String to = "+15550148001";
        bed.twilio.scriptCallee(to, Callee.answers(Duration.ofMillis(100), Scenario.of("callee",
                Step.await(AwaitTarget.GREETING), Step.hangup(true))));
        Reply launched = launch("{\"to\":\"" + to + "\",\"instructions\":\"" + INSTRUCTIONS + "\",\"opening\":\""
                + OPENING + "\"}", null);
        String launchId = launched.body().path("launch_id").asText();
        OutboundCall used = bed.twilio.awaitOutboundCall(c -> c.sid().equals(launched.body().path("twilio_call_sid")
                .asText()) && c.openAiCallId() != null, WAIT);
        awaitLaunch(launchId, "completed");
        WebhookSender sender = new WebhookSender(TestKeys.WEBHOOK_SECRET, Clock.systemUTC(), RedeliveryPolicy.fast());

        // the same SIP headers again (a replayed INVITE), an unknown launch id, and the right id with a guessed key
        List<IncomingCallSpec> intruders = List.of(
                spec(launchId, used.sipHeader("X-Launch-Key")),
                spec("ol_00000000000000000000000000000000", used.sipHeader("X-Launch-Key")),
                spec(launchId, "guessed-key"));
        for (IncomingCallSpec spec : intruders) {
            bed.sim.useScenario(spec.callId(), Scenario.of("intruder", Step.await(AwaitTarget.GREETING), Step.hangup(true)));
            assertThat(sender.sendIncomingCall(front.url("/openai/webhook"), spec).delivered()).isTrue();
            JsonNode accept = bed.sim.awaitRequest(spec.callId(), ConnectorRequest.Endpoint.ACCEPT, WAIT).json();
            assertThat(accept.path("instructions").asText()).doesNotContain(INSTRUCTIONS);
            assertThat(bed.sim.awaitClientEvent(spec.callId(), "response.create", WAIT).at("/response/instructions")
                    .asText()).isEqualTo("Say exactly '" + E2eBed.GREETING + "' now.");
            CallRecord call = bed.call(spec.callId());
            assertThat(call.direction()).isEqualTo("inbound");
            assertThat(call.launchId()).isNull();
        }
        assertThat(get("/control/outbound/" + launchId).body().at("/launch/call_id").asText())
                .as("the launch stays bound to its own call").isEqualTo(used.openAiCallId());
        assertThat(bed.logs()).contains("launch id did not match");
    }

    private static IncomingCallSpec spec(String launchId, String key) {
        return IncomingCallSpec.builder().from("+15550199999").conferenceName(null)
                .header(LaunchKeys.ID_HEADER, launchId).header(LaunchKeys.KEY_HEADER, key).build();
    }

    // ------------------------------------------------------------------ the original dashboard

    @Test
    void theOriginalDashboardsLaunchBodyGetsItsResponseShape() {
        String to = "+15550149001";
        bed.twilio.scriptCallee(to, Callee.noAnswer(Duration.ofSeconds(1)));
        String body = """
                {"launch_id": "dash-launch-0001", "to": "%s", "template_id": null, "callee_name": "Pat",
                 "objective_note": null, "instruction_block": "%s", "opening_script": null,
                 "voice_override": null, "model_override": null}""".formatted(to, INSTRUCTIONS);

        Reply reply = bed.send(control, Events.request("POST", "/control/outbound/launch")
                .bearer(TestKeys.CONTROL_API_TOKEN).json(body).build());
        Reply retry = bed.send(control, Events.request("POST", "/control/outbound/launch")
                .bearer(TestKeys.CONTROL_API_TOKEN).json(body).build());

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        assertThat(fieldNames(reply.body())).contains("ok", "launch_id", "twilio_call_sid", "status");
        assertThat(reply.body().path("ok").asBoolean()).isTrue();
        assertThat(reply.body().path("launch_id").asText()).isEqualTo("dash-launch-0001");
        assertThat(reply.body().path("twilio_call_sid").asText()).startsWith("CA").hasSize(34);
        assertThat(reply.body().path("status").asText()).as("Twilio's first callbacks may come first").isIn("queued", "ringing");
        assertThat(retry.body().path("twilio_call_sid").asText()).isEqualTo(reply.body().path("twilio_call_sid").asText());
        assertThat(bed.twilio.callCreations()).hasSize(1);

        Reply badId = bed.send(control, Events.request("POST", "/control/outbound/launch")
                .bearer(TestKeys.CONTROL_API_TOKEN).json(body.replace("dash-launch-0001", "bad id!")).build());
        Reply badTarget = bed.send(control, Events.request("POST", "/control/outbound/launch")
                .bearer(TestKeys.CONTROL_API_TOKEN).json(body.replace("dash-launch-0001", "dash-2").replace(to, "555"))
                .build());
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.code()).isEqualTo("invalid_launch_id");
        assertThat(badId.body().path("ok").asBoolean(true)).isFalse();
        assertThat(badTarget.status()).isEqualTo(400);
        assertThat(badTarget.code()).isEqualTo("invalid_target");

        ControlHandler unconfigured = control(Map.of("OPENAI_SIP_URI", ""));
        Reply notConfigured = bed.send(unconfigured, Events.request("POST", "/control/outbound/launch")
                .bearer(TestKeys.CONTROL_API_TOKEN).json(body.replace("dash-launch-0001", "dash-3")).build());
        assertThat(notConfigured.status()).isEqualTo(503);
        assertThat(notConfigured.code()).isEqualTo("outbound_not_configured");
        assertThat(bed.twilio.callCreations()).hasSize(1);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
