package ai.phoneagent.simulator.twilio;

import ai.phoneagent.simulator.ConnectorSimulator;
import ai.phoneagent.simulator.webhook.WebhookSender;
import java.net.URI;
import java.util.Objects;

/**
 * Where the fake Twilio sends an answered outbound call: OpenAI's connector (the simulator, which gets a new call)
 * and the project's webhook, to which {@code realtime.call.incoming} is delivered, signed by {@code sender}, with the
 * SIP headers of the TwiML {@code <Sip>} URI.
 */
public record OutboundLine(ConnectorSimulator connector, URI webhookUrl, WebhookSender sender) {
    public OutboundLine {
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(webhookUrl, "webhookUrl");
        Objects.requireNonNull(sender, "sender");
    }
}
