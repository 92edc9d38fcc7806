package ai.phoneagent.localstack;

import ai.phoneagent.call.CallEvent;
import ai.phoneagent.call.CallRecord;
import ai.phoneagent.call.CallStatus;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.webhook.DeliveryAttempt;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.Signing;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import ai.phoneagent.simulator.webhook.WebhookSender;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Places one call through the simulator as OpenAI would and plays the operator's part through the control API
 * (live instructions, then hang-up), narrating each step. The conversation itself shows up as the worker's
 * Discord lines.
 */
final class DemoCall {
    static final String SCENARIO = "/scenarios/local-demo.json";
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    private final LocalStack stack;
    private final PrintStream console;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    DemoCall(LocalStack stack, PrintStream console, Clock clock) {
        this.stack = stack;
        this.console = console;
        this.clock = clock;
    }

    /** The demo conversation the simulator plays for calls it has no other scenario for. */
    static Scenario scenario() {
        try (InputStream in = DemoCall.class.getResourceAsStream(SCENARIO)) {
            return Scenario.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Intake only: sends the webhook and reports what the webhook did. Returns the call id. */
    String placeCall() {
        String secret = stack.env().required("OPENAI_WEBHOOK_SECRET");
        IncomingCallSpec call = IncomingCallSpec.builder().from("+14255551212").to("+18005551212").build();
        stack.simulator().ifPresent(sim -> sim.useScenario(call.callId(), scenario()));
        say("+14255551212 is calling +18005551212 (call " + call.callId() + ")");
        WebhookSender sender = new WebhookSender(secret, clock, RedeliveryPolicy.fast());
        var report = sender.deliver(stack.webhookUrl(), WebhookEvent.incomingCall(call, clock), Signing.valid(), this::narrate);
        if (!report.delivered()) {
            say("the webhook was not accepted: " + report.statuses());
            return call.callId();
        }
        stack.store().get(call.callId()).ifPresent(c -> say("webhook verified, call accepted, call "
                + (c.status() == CallStatus.ACCEPTED ? "queued" : c.status().name().toLowerCase(Locale.ROOT))));
        return call.callId();
    }

    /** The whole demo: intake, conversation, operator instructions, transfer, operator hang-up. */
    boolean run() {
        String callId = placeCall();
        try {
            CallRecord attached = waitFor("a worker to attach", () -> stack.store().get(callId)
                    .filter(c -> c.status() == CallStatus.ATTACHED).orElse(null));
            say("worker " + attached.owner() + " attached and greeted the caller");
            waitFor("the first answer", () -> turns(callId) >= 3 ? Boolean.TRUE : null);
            operator(callId, "instructions", "{\"text\": \"The caller is a returning customer: thank them for their loyalty.\", \"respond\": true}");
            CallEvent toolCall = waitFor("the agent's tool call", () -> stack.store().events(callId, null, 100).items()
                    .stream().filter(e -> e.kind().equals("tool_call")).findFirst().orElse(null));
            say("the agent called " + toolCall.details().path("name").asText() + " "
                    + toolCall.details().path("arguments").asText());
            waitFor("the transfer to a human", () -> stack.store().events(callId, null, 100).items().stream()
                    .anyMatch(e -> e.kind().startsWith("transfer")) ? Boolean.TRUE : null);
            stack.twilio().ifPresent(t -> t.participantCreations().stream().findFirst().ifPresent(p ->
                    say("Twilio was asked to add " + p.param("To") + " to conference " + p.pathParams().get("ConferenceSid")
                            + " as \"" + p.param("Label") + "\"")));
            operator(callId, "hangup", "{\"reason\": \"demo finished\"}");
            CallRecord ended = waitFor("the call to end", () -> stack.store().get(callId)
                    .filter(c -> c.status() == CallStatus.ENDED).orElse(null));
            // the duration is the worker's (on its Discord line and in the log), not computed again here
            say("call ended: " + ended.endReason());
            return true;
        } catch (IllegalStateException e) {
            say(e.getMessage());
            return false;
        }
    }

    private int turns(String callId) {
        return stack.store().turns(callId, -1, 100).items().size();
    }

    private void operator(String callId, String action, String body) {
        URI uri = stack.baseUrl().resolve("/control/calls/" + callId + "/" + action);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + stack.env().required("CONTROL_API_TOKEN"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            say("operator: POST /control/calls/" + callId + "/" + action + " -> HTTP " + response.statusCode() + " " + response.body());
        } catch (IOException e) {
            say("operator: " + action + " failed: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T> T waitFor(String what, Supplier<T> condition) {
        Instant deadline = clock.instant().plus(STEP_TIMEOUT);
        while (clock.instant().isBefore(deadline)) {
            T value = condition.get();
            if (value != null) {
                return value;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new IllegalStateException("gave up waiting for " + what);
    }

    private void narrate(DeliveryAttempt attempt) {
        say("webhook delivery " + attempt.number() + " -> HTTP " + attempt.status());
    }

    private void say(String line) {
        console.println("demo    | " + line);
    }

}
