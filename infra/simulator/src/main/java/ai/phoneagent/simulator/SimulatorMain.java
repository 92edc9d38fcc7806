package ai.phoneagent.simulator;

import ai.phoneagent.json.Json;
import ai.phoneagent.simulator.discord.FakeDiscord;
import ai.phoneagent.simulator.scenario.Scenario;
import ai.phoneagent.simulator.twilio.FakeTwilio;
import ai.phoneagent.simulator.webhook.DeliveryAttempt;
import ai.phoneagent.simulator.webhook.DeliveryReport;
import ai.phoneagent.simulator.webhook.IncomingCallSpec;
import ai.phoneagent.simulator.webhook.RedeliveryPolicy;
import ai.phoneagent.simulator.webhook.Signing;
import ai.phoneagent.simulator.webhook.WebhookEvent;
import ai.phoneagent.simulator.webhook.WebhookSender;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the connector simulator as a process, or sends one signed webhook.
 * <pre>
 *   serve [--port N] [--api-key K] [--scenario NAME|PATH] [--strict] [--fakes]
 *         [--accept-status N] [--accept-delay-ms N] [--attach-status N]
 *         [--responses-status N] [--responses-delay-ms N]
 *   fault --url SIMULATOR [--api-key K] [--accept-status N] [--accept-delay-ms N] [--attach-status N] [--stall]
 *         [--responses-status N] [--responses-delay-ms N] | --clear
 *   drop  --url SIMULATOR [--api-key K] [--call-id rtc_…] [--close-frame]
 *   stall --url SIMULATOR [--api-key K] --call-id rtc_… [--resume]
 *   place-call --url WEBHOOK_URL --simulator SIMULATOR [--secret whsec_…] [--api-key K] [--call-id rtc_…]
 *              [--from +1…] [--to +1…] [--scenario NAME|PATH] [--end-after SECONDS] [--no-wait]
 *   send-webhook --url URL [--secret whsec_…] [--call-id rtc_…] [--from +1…] [--to +1…] [--conference CF…]
 *                [--type realtime.call.incoming] [--attempts N]
 * </pre>
 * Environment: {@code SIMULATOR_PORT}, {@code SIMULATOR_API_KEY} (else {@code OPENAI_API_KEY}),
 * {@code OPENAI_WEBHOOK_SECRET}, {@code TWILIO_ACCOUNT_SID}/{@code TWILIO_AUTH_TOKEN} for {@code --fakes}.
 */
public final class SimulatorMain {
    private static final Set<String> FLAGS = Set.of("--strict", "--fakes", "--help", "--stall", "--clear",
            "--close-frame", "--resume", "--no-wait");

    private SimulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int code = run(args, System.getenv(), System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Runs a command; returns the exit code, or -1 when a server was started and keeps running. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws InterruptedException {
        boolean named = args.length > 0 && !args[0].startsWith("--");
        String command = named ? args[0] : "serve";
        Map<String, String> options;
        try {
            options = options(args, named ? 1 : 0);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            usage(err);
            return 2;
        }
        if (options.containsKey("--help")) {
            usage(out);
            return 0;
        }
        try {
            return switch (command) {
                case "serve" -> serve(options, env, out);
                case "send-webhook" -> sendWebhook(options, env, out, err);
                case "fault", "drop", "stall" -> admin(command, options, env, out, err);
                case "place-call" -> PlaceCall.run(options, env, out, err);
                default -> {
                    err.println("unknown command: " + command);
                    usage(err);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    private static int serve(Map<String, String> options, Map<String, String> env, PrintStream out)
            throws InterruptedException {
        AutoCloseable running = startServices(options, env, out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception ignored) {
                // shutting down anyway
            }
            stopped.countDown();
        }));
        stopped.await();
        return -1;
    }

    /** Starts what {@code serve} starts and returns it running (closing it stops everything). */
    static AutoCloseable startServices(Map<String, String> options, Map<String, String> env, PrintStream out) {
        String portText = options.getOrDefault("--port", env.getOrDefault("SIMULATOR_PORT", "0"));
        int port;
        try {
            port = Integer.parseInt(portText.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SIMULATOR_PORT/--port is not a number: " + portText);
        }
        String apiKey = apiKey(options, env);
        SimulatorConfig.Builder config = SimulatorConfig.builder().apiKey(apiKey).port(port)
                .allowUnknownCalls(!options.containsKey("--strict"));
        if (options.containsKey("--scenario")) {
            config.defaultScenario(Scenario.load(options.get("--scenario")));
        }
        List<AutoCloseable> running = new ArrayList<>();
        ConnectorSimulator simulator = ConnectorSimulator.start(config.build());
        running.add(simulator);
        applyStartFaults(simulator, options);
        out.println("connector simulator listening on " + simulator.baseUrl());
        out.println("OPENAI_BASE_URL=" + simulator.baseUrl());
        long pid = ProcessHandle.current().pid();
        out.println("open files: limit " + ProcessLimits.openFilesLimit(pid).stream().mapToObj(Long::toString).findFirst()
                .orElse("unknown") + ", " + ProcessLimits.openFiles(pid) + " open (each live call holds one socket;"
                + " raise with ulimit -n for thousands of calls)");
        out.println("default scenario: " + simulator.config().defaultScenario().name()
                + (apiKey.equals(SimulatorConfig.DEFAULT_API_KEY) ? " (API key: the built-in test key, see README)"
                : " (API key from the environment or --api-key)"));
        if (options.containsKey("--fakes")) {
            FakeDiscord discord = FakeDiscord.start();
            running.add(discord);
            FakeTwilio twilio = FakeTwilio.start(env.getOrDefault("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000"),
                    env.getOrDefault("TWILIO_AUTH_TOKEN", "fake-twilio-token"));
            running.add(twilio);
            out.println("DISCORD_WEBHOOK_URL=" + discord.webhookUrl());
            out.println("fake Twilio REST listening on " + twilio.baseUrl());
        }
        out.flush();
        return () -> {
            for (AutoCloseable closeable : running.reversed()) {
                closeable.close();
            }
        };
    }

    private static void applyStartFaults(ConnectorSimulator simulator, Map<String, String> options) {
        int acceptStatus = intOption(options, "--accept-status", 200);
        long acceptDelay = intOption(options, "--accept-delay-ms", 0);
        CallsAnswer accept = acceptStatus == 200 ? CallsAnswer.ok() : CallsAnswer.serverError(acceptStatus);
        if (acceptDelay > 0) {
            simulator.failAccepts(CallsAnswer.slow(Duration.ofMillis(acceptDelay), accept));
        } else if (acceptStatus != 200) {
            simulator.failAccepts(accept);
        }
        simulator.refuseAttaches(intOption(options, "--attach-status", 0));
        simulator.faultResponses(intOption(options, "--responses-status", 0),
                Duration.ofMillis(intOption(options, "--responses-delay-ms", 0)));
    }

    /** {@code fault}, {@code drop}, {@code stall}: the admin API of a running simulator, from the command line. */
    private static int admin(String command, Map<String, String> options, Map<String, String> env, PrintStream out,
                             PrintStream err) throws InterruptedException {
        String url = options.get("--url");
        if (url == null) {
            throw new IllegalArgumentException(command + " needs --url (the simulator's base URL)");
        }
        String callId = options.get("--call-id");
        String method = "POST";
        String path;
        String body = "";
        switch (command) {
            case "fault" -> {
                method = options.containsKey("--clear") ? "DELETE" : "PUT";
                path = "/_simulator/faults";
                var faults = Json.object();
                faults.put("accept_status", intOption(options, "--accept-status", 200));
                faults.put("accept_delay_ms", intOption(options, "--accept-delay-ms", 0));
                faults.put("attach_status", intOption(options, "--attach-status", 0));
                faults.put("stall", options.containsKey("--stall"));
                faults.put("responses_status", intOption(options, "--responses-status", 0));
                faults.put("responses_delay_ms", intOption(options, "--responses-delay-ms", 0));
                body = Json.write(faults);
            }
            case "drop" -> path = (callId == null ? "/_simulator/drop" : "/_simulator/calls/" + callId + "/drop")
                    + "?close_frame=" + options.containsKey("--close-frame");
            default -> {
                if (callId == null) {
                    throw new IllegalArgumentException("stall needs --call-id");
                }
                path = "/_simulator/calls/" + callId + (options.containsKey("--resume") ? "/resume" : "/stall");
            }
        }
        try (AdminClient client = new AdminClient(URI.create(url), apiKey(options, env))) {
            AdminClient.Answer answer = client.send(method, path, body);
            (answer.ok() ? out : err).println("HTTP " + answer.status() + " " + answer.body());
            return answer.ok() ? 0 : 1;
        } catch (java.io.IOException e) {
            err.println("simulator at " + url + " did not answer: " + e.getMessage());
            return 1;
        }
    }

    /** The simulator's key: {@code --api-key}, else {@code SIMULATOR_API_KEY}, else {@code OPENAI_API_KEY}, else the test key. */
    static String apiKey(Map<String, String> options, Map<String, String> env) {
        return options.getOrDefault("--api-key",
                env.getOrDefault("SIMULATOR_API_KEY", env.getOrDefault("OPENAI_API_KEY", SimulatorConfig.DEFAULT_API_KEY)));
    }

    private static int intOption(Map<String, String> options, String name, int defaultValue) {
        String value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a number: " + value);
        }
    }

    private static int sendWebhook(Map<String, String> options, Map<String, String> env, PrintStream out,
                                   PrintStream err) {
        String url = options.get("--url");
        if (url == null) {
            throw new IllegalArgumentException("send-webhook needs --url");
        }
        String secret = options.getOrDefault("--secret", env.get("OPENAI_WEBHOOK_SECRET"));
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("send-webhook needs --secret or OPENAI_WEBHOOK_SECRET");
        }
        IncomingCallSpec spec = callSpec(options);
        int attempts = Integer.parseInt(options.getOrDefault("--attempts", "5"));
        String type = options.getOrDefault("--type", WebhookEvent.CALL_INCOMING);
        return deliver(url, secret, spec, type, attempts, out) ? 0 : 1;
    }

    /** The call described by {@code --call-id}, {@code --from}, {@code --to}, {@code --conference}. */
    static IncomingCallSpec callSpec(Map<String, String> options) {
        IncomingCallSpec.Builder call = IncomingCallSpec.builder();
        if (options.containsKey("--call-id")) {
            call.callId(options.get("--call-id"));
        }
        if (options.containsKey("--from")) {
            call.from(options.get("--from"));
        }
        if (options.containsKey("--to")) {
            call.to(options.get("--to"));
        }
        if (options.containsKey("--conference")) {
            call.conferenceName(options.get("--conference"));
        }
        return call.build();
    }

    /** Signs and delivers one webhook like OpenAI (redelivering up to {@code attempts}); true when delivered. */
    static boolean deliver(String url, String secret, IncomingCallSpec spec, String type, int attempts, PrintStream out) {
        RedeliveryPolicy policy = new RedeliveryPolicy(attempts, Duration.ofMillis(500), 2.0, Duration.ofSeconds(10),
                Duration.ofSeconds(10));
        Clock clock = Clock.systemUTC();
        WebhookEvent event = type.equals(WebhookEvent.CALL_INCOMING) ? WebhookEvent.incomingCall(spec, clock)
                : WebhookEvent.of(type, Json.object().put("call_id", spec.callId()), clock);
        WebhookSender sender = new WebhookSender(secret, clock, policy);
        out.println("sending " + type + " for call " + spec.callId() + " to " + url);
        DeliveryReport report = sender.deliver(URI.create(url), event, Signing.valid(), attempt -> print(out, attempt));
        out.println(report.delivered() ? "delivered (webhook-id " + report.webhookId() + ")"
                : "not delivered after " + report.attempts().size() + " attempt(s)");
        return report.delivered();
    }

    private static void print(PrintStream out, DeliveryAttempt attempt) {
        out.println("attempt " + attempt.number() + ": "
                + (attempt.status() < 0 ? "no answer (" + attempt.error() + ")" : "HTTP " + attempt.status())
                + " in " + attempt.took().toMillis() + " ms");
    }

    private static Map<String, String> options(String[] args, int from) {
        Map<String, String> options = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            if (FLAGS.contains(arg)) {
                options.put(arg, "true");
            } else if (arg.contains("=")) {
                options.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            } else if (i + 1 < args.length) {
                options.put(arg, args[++i]);
            } else {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
        }
        return options;
    }

    private static void usage(PrintStream out) {
        out.println("""
                usage:
                  serve [--port N] [--api-key K] [--scenario NAME|PATH] [--strict] [--fakes]
                        [--accept-status N] [--accept-delay-ms N] [--attach-status N]
                        [--responses-status N] [--responses-delay-ms N]
                  fault --url SIMULATOR [--api-key K] [--accept-status N] [--accept-delay-ms N] [--attach-status N]
                        [--stall] [--responses-status N] [--responses-delay-ms N] | --clear
                  drop  --url SIMULATOR [--api-key K] [--call-id rtc_...] [--close-frame]
                  stall --url SIMULATOR [--api-key K] --call-id rtc_... [--resume]
                  place-call --url WEBHOOK_URL --simulator SIMULATOR [--secret whsec_...] [--api-key K]
                             [--call-id rtc_...] [--from +1...] [--to +1...] [--scenario NAME|PATH]
                             [--end-after SECONDS] [--no-wait]
                  send-webhook --url URL [--secret whsec_...] [--call-id rtc_...] [--from +1...] [--to +1...]
                               [--conference CF...] [--type realtime.call.incoming] [--attempts N]
                bundled scenarios:""" + " " + String.join(", ", Scenario.bundled()));
    }
}
