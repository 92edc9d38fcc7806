package ai.phoneagent.simulator.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.SimulatorConfig;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookSender;
import ai.phoneagent.webhook.Verification;
import ai.phoneagent.webhook.WebhookSecret;
import ai.phoneagent.webhook.WebhookVerifier;
import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake Twilio's outbound calls, driven by twilio-java's {@code Call.creator} as production code drives them. */
class FakeTwilioOutboundTest {
    private static final String SID = "AC0123456789abcdef0123456789abcdef";
    private static final String TOKEN = "fake-auth-token-never-logged";
    private static final String SECRET = "whsec_c2VjcmV0LXRlc3Qta2V5LWZvci13ZWJob29rcy0xMjM0NQ==";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TWIML = "<Response><Dial><Sip>sip:proj_1@sip.api.openai.com;transport=tls"
            + "?X-Launch-Id=ol_1&amp;X-Launch-Key=k%2By%2F1</Sip></Dial></Response>";

    private final FakeTwilio twilio = FakeTwilio.start(SID, TOKEN);
    private final TwilioRestClient client = twilio.restClient(SID, TOKEN);
    private final ConnectorSimulator sim = ConnectorSimulator.start(SimulatorConfig.builder().apiKey("sk-test").build());
    private final MockWebServer project = new MockWebServer();
    private final List<RecordedRequest> received = new ArrayList<>();

    FakeTwilioOutboundTest() throws IOException {
        project.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                synchronized (received) {
                    received.add(request);
                    received.notifyAll();
                }
                return new MockResponse.Builder().code(request.getUrl().encodedPath().startsWith("/twilio") ? 204 : 200)
                        .build();
            }
        });
        project.start(InetAddress.getByName("127.0.0.1"), 0);
        twilio.connectOutbound(new OutboundLine(sim, project.url("/openai/webhook").uri(),
                new WebhookSender(SECRET, Clock.systemUTC(), RedeliveryPolicy.once())));
    }

    @AfterEach
    void stop() {
        twilio.close();
        sim.close();
        project.close();
    }

    private Call dial(String to, boolean machineDetection) {
        var creator = Call.creator(new PhoneNumber(to), new PhoneNumber("+15550100000"), new Twiml(TWIML))
                .setStatusCallback(project.url("/twilio/outbound-status?launchId=ol_1").uri())
                .setStatusCallbackEvent(List.of("initiated", "ringing", "answered", "completed"));
        if (machineDetection) {
            creator.setMachineDetection("DetectMessageEnd").setAsyncAmd("true")
                    .setAsyncAmdStatusCallback(project.url("/twilio/outbound-status?launchId=ol_1").uri());
        }
        return creator.create(client);
    }

    @Test
    void anAnsweredCallIsBridgedWithItsSipUriHeadersAndReportedBySignedCallbacks() throws Exception {
        twilio.scriptCallee("+15550001111", Callee.answers(Duration.ofMillis(100), null));

        Call call = dial("+15550001111", false);

        assertThat(call.getSid()).startsWith("CA").hasSize(34);
        assertThat(call.getStatus()).isEqualTo(Call.Status.QUEUED);
        OutboundCall bridged = twilio.awaitOutboundCall(c -> c.openAiCallId() != null, WAIT);
        assertThat(bridged.sipHeader("X-Launch-Id")).isEqualTo("ol_1");
        assertThat(bridged.sipHeader("X-Launch-Key")).isEqualTo("k+y/1");
        RecordedRequest webhook = awaitRequest("/openai/webhook");
        Map<String, String> headers = new HashMap<>();
        webhook.getHeaders().names().forEach(n -> headers.put(n, webhook.getHeaders().get(n)));
        assertThat(new WebhookVerifier(WebhookSecret.of(SECRET), Clock.systemUTC())
                .verify(headers, webhook.getBody().toByteArray())).isInstanceOf(Verification.Valid.class);
        JsonNode event = Json.parse(webhook.getBody().utf8());
        assertThat(event.at("/data/call_id").asText()).isEqualTo(bridged.openAiCallId());
        assertThat(event.at("/data/sip_headers").toString()).contains("\"X-Launch-Id\"").contains("k+y/1");
        assertThat(sim.call(bridged.openAiCallId()).known()).isTrue();

        sim.hangup(bridged.openAiCallId(), true);
        OutboundCall done = twilio.awaitOutboundCall(c -> c.sid().equals(call.getSid()) && c.finished(), WAIT);

        assertThat(done.callbacks()).extracting(OutboundCall.Callback::callStatus)
                .containsExactly("queued", "ringing", "in-progress", "completed");
        assertThat(done.callbacks()).allSatisfy(cb -> assertThat(cb.httpStatus()).isEqualTo(204));
        for (RecordedRequest callback : requests("/twilio/outbound-status")) {
            String url = callback.getUrl().toString();
            assertThat(callback.getHeaders().get("X-Twilio-Signature"))
                    .isEqualTo(signature(url, form(callback.getBody().utf8())));
            assertThat(form(callback.getBody().utf8())).containsEntry("CallSid", call.getSid());
        }
    }

    @Test
    void aBusyCalleeEndsTheCallBusyWithoutBridgingIt() {
        twilio.scriptCallee("+15550002222", Callee.busy(Duration.ofMillis(50)));

        Call call = dial("+15550002222", false);
        OutboundCall done = twilio.awaitOutboundCall(c -> c.sid().equals(call.getSid()) && c.finished(), WAIT);

        assertThat(done.callbacks()).extracting(OutboundCall.Callback::callStatus)
                .containsExactly("queued", "ringing", "busy");
        assertThat(form(requests("/twilio/outbound-status").getLast().getBody().utf8()))
                .containsEntry("SipResponseCode", "486");
        assertThat(done.openAiCallId()).isNull();
        assertThat(requests("/openai/webhook")).isEmpty();
    }

    @Test
    void aMachineIsReportedByAsyncDetectionAndTheCallEndsOnTheProjectsUpdate() {
        twilio.scriptCallee("+15550003333", Callee.machine(Duration.ofMillis(50)));

        Call call = dial("+15550003333", true);
        twilio.awaitOutboundCall(c -> c.callbacks().stream().anyMatch(cb -> "machine_end_beep".equals(cb.answeredBy())),
                WAIT);
        Call.updater(SID, call.getSid()).setTwiml("<Response><Say>Call us back</Say><Hangup/></Response>").update(client);
        OutboundCall done = twilio.awaitOutboundCall(c -> c.sid().equals(call.getSid()) && c.finished(), WAIT);

        assertThat(done.updates()).containsExactly("<Response><Say>Call us back</Say><Hangup/></Response>");
        assertThat(done.callbacks()).extracting(OutboundCall.Callback::callStatus).endsWith("completed");
        assertThat(done.openAiCallId()).isNull();
    }

    private RecordedRequest awaitRequest(String path) throws InterruptedException {
        long until = System.nanoTime() + WAIT.toNanos();
        synchronized (received) {
            while (true) {
                List<RecordedRequest> matching = requests(path);
                if (!matching.isEmpty()) {
                    return matching.getFirst();
                }
                long left = (until - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new AssertionError("no request to " + path);
                }
                received.wait(left);
            }
        }
    }

    private List<RecordedRequest> requests(String path) {
        synchronized (received) {
            return received.stream().filter(r -> r.getUrl().encodedPath().equals(path)).toList();
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new TreeMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    /** Twilio's documented scheme, computed independently of the fake. */
    private static String signature(String url, Map<String, String> sortedForm) throws Exception {
        StringBuilder data = new StringBuilder(url);
        sortedForm.forEach((k, v) -> data.append(k).append(v));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
