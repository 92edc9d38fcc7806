package ai.phoneagent.localstack;

import ai.phoneagent.config.Env;
import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.scenario.AwaitTarget;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.scenario.Step;
import ai.phoneagent.simulator.twilio.Callee;
import ai.phoneagent.simulator.twilio.FakeTwilio;
import ai.phoneagent.simulator.twilio.OutboundLine;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.WebhookSender;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Outbound calls in the local stack: the control API dials the fake Twilio ({@code TWILIO_API_BASE_URL}), whose callee
 * answers after a second, hears the opening, says one line and hangs up; the call is bridged to the simulator with the
 * launch's SIP headers and a signed webhook to this stack, so a launch runs end to end on loopback.
 */
final class OutboundDemo {
    static final String FROM = "+15550100000";
    static final String DEMO_TO = "+15550123456";

    private OutboundDemo() {
    }

    /** The outbound settings beside a fake Twilio (each may still be overridden by the environment). */
    static void defaults(Map<String, String> defaults, FakeTwilio fake) {
        defaults.put("TWILIO_API_BASE_URL", fake.baseUrl().toString());
        defaults.put("TWILIO_OUTBOUND_FROM", FROM);
        defaults.put("OPENAI_SIP_URI", "sip:proj_local@sip.api.openai.com;transport=tls");
    }

    /** Sends answered outbound calls to the simulator and their webhooks to this stack. */
    static void connect(FakeTwilio fake, ConnectorSimulator simulator, URI webhookUrl, Env env, Clock clock) {
        fake.connectOutbound(new OutboundLine(simulator, webhookUrl,
                new WebhookSender(env.required("OPENAI_WEBHOOK_SECRET"), clock, RedeliveryPolicy.fast())));
        fake.scriptDefaultCallee(Callee.answers(Duration.ofSeconds(1), Scenario.of("outbound demo",
                Step.await(AwaitTarget.RESPONSE_CREATE), Step.caller("Oh, hi! Yes, that works for me, thanks."),
                Step.hangup(true))));
    }

    /** How to place an outbound call against the running stack. */
    static void printHowTo(LocalStack stack, PrintStream console) {
        if (stack.twilio().isEmpty()) {
            return;
        }
        // the token comes from the credentials file the banner names, never from the console
        console.println("local stack: place an outbound call (fake Twilio rings, answers, bridges to the simulator) with\n"
                + "  source .local/credentials.env\n"
                + "  curl -H \"Authorization: Bearer $CONTROL_API_TOKEN\" -H 'Content-Type: application/json' -d '{\"to\": \""
                + DEMO_TO + "\", \"opening\": \"Hi, this is Acme calling about your order.\"}' " + stack.baseUrl()
                + "/control/outbound\n  then follow it: curl -H \"Authorization: Bearer $CONTROL_API_TOKEN\" "
                + stack.baseUrl() + "/control/outbound/<launch_id>");
    }
}
