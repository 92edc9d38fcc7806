package ai.phoneagent.templatechecks;

import ai.phoneagent.call.CallTable;
import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.testing.TestKeys;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;

/**
 * What the code says, gathered from the modules on the test classpath: entry classes, the variables each part's
 * {@code *Config.fromEnv} reads ({@link Env#namesRead()}), the routes each handler serves, the table layout.
 */
final class CodeFacts {
    /** Where the repository is: Surefire passes it; running from the module folder works too. */
    static Path repoRoot() {
        String configured = System.getProperty("template-checks.repo-root");
        Path root = (configured != null ? Path.of(configured) : Path.of("../..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("template.yaml"))) {
            throw new IllegalStateException("template.yaml not found under " + root);
        }
        return root;
    }

    static Path templateFile() {
        return repoRoot().resolve("template.yaml");
    }

    static Optional<Class<?>> load(String name) {
        try {
            return Optional.of(Class.forName(name, false, CodeFacts.class.getClassLoader()));
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
    }

    static Class<?> require(String name, Part part) {
        return load(name).orElseThrow(() -> new AssertionError(part + ": class " + name + " is not on the test"
                + " classpath; template-checks depends on " + part.module() + " (test scope) and needs it"));
    }

    // ------------------------------------------------------------------ environment

    /**
     * Every variable the part's {@code fromEnv} reads, from two runs: the environment the template gives the part
     * with every parameter at its default (plus the secret's keys and the platform's variables), and the same with
     * every variable the project knows set to a plausible value, so optional branches read their variables too.
     * A configuration the code rejects fails with the code's own message.
     */
    static Set<String> namesRead(Part part, TemplateChecks checks, Path scratch) throws IOException {
        Method fromEnv;
        try {
            fromEnv = require(part.configClass(), part).getMethod("fromEnv", Env.class);
        } catch (NoSuchMethodException e) {
            throw new AssertionError(part + ": " + part.configClass() + " has no public static fromEnv(Env)");
        }
        Map<String, String> deployed = new HashMap<>(checks.resolvedEnvironment(part));
        deployed.put("AWS_REGION", FakeStack.REGION);
        deployed.put("AWS_DEFAULT_REGION", FakeStack.REGION);
        for (String key : checks.secretKeys()) {
            deployed.put(key, secretValue(key));
        }
        Set<String> names = new TreeSet<>(read(part, fromEnv, deployed, "as the template deploys it (parameter defaults)"));
        Map<String, String> everything = new HashMap<>(deployed);
        everything.putAll(plausibleValues(scratch));
        names.addAll(read(part, fromEnv, everything, "with every known variable set"));
        return names;
    }

    private static Set<String> read(Part part, Method fromEnv, Map<String, String> values, String how) {
        Env env = Env.of(values);
        try {
            fromEnv.invoke(null, env);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof ConfigException config) {
                throw new AssertionError(part + " rejects its configuration " + how + ": " + config.getMessage(), config);
            }
            throw new AssertionError(part + ": " + fromEnv + " failed " + how + ": " + e.getCause(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new AssertionError(part + ": " + fromEnv + " is not accessible", e);
        }
        return env.namesRead();
    }

    /** The project's fake credentials ({@link TestKeys}) for the secrets it knows; a long opaque string otherwise. */
    static String secretValue(String key) {
        return switch (key) {
            case "OPENAI_API_KEY" -> TestKeys.OPENAI_API_KEY;
            case "OPENAI_WEBHOOK_SECRET" -> TestKeys.WEBHOOK_SECRET;
            case "TWILIO_ACCOUNT_SID" -> TestKeys.TWILIO_ACCOUNT_SID;
            case "TWILIO_AUTH_TOKEN" -> TestKeys.TWILIO_AUTH_TOKEN;
            case "CONTROL_API_TOKEN" -> TestKeys.CONTROL_API_TOKEN;
            case "DISCORD_WEBHOOK_URL" -> "https://discord.com/api/webhooks/123456789/abcdefghijklmnop";
            default -> "test-secret-0123456789abcdefghijklmnop";
        };
    }

    /** Every variable of the project set to a valid value (files for the *_PATH ones are written to scratch). */
    static Map<String, String> plausibleValues(Path scratch) throws IOException {
        Path prompt = Files.writeString(scratch.resolve("prompt.md"), "You are a helpful phone agent.\n");
        Path tools = Files.writeString(scratch.resolve("http-tools.json"), """
                {"tools": [{"name": "order_status", "description": "Look up an order's status",
                  "url": "https://orders.example.com/status", "timeout_ms": 3000,
                  "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
                  "headers": {"Authorization": "Bearer ${OPENAI_API_KEY}"}}]}
                """);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("PROMPT_PATH", prompt.toString());
        values.put("HTTP_TOOLS_PATH", tools.toString());
        values.put("WELCOME_MESSAGE", "Hello, how can I help?");
        values.put("OPENAI_BASE_URL", "https://api.openai.com");
        values.put("OPENAI_MODEL", "gpt-realtime");
        values.put("OPENAI_VOICE", "alloy");
        values.put("INPUT_TRANSCRIPTION_MODEL", "gpt-4o-mini-transcribe");
        values.put("INPUT_TRANSCRIPTION_LANGUAGE", "en");
        values.put("END_CALL_ENABLED", "true");
        values.put("HUMAN_AGENT_NUMBER", "+15551230000");
        values.put("TRANSFER_TARGETS", "sales=+15551230001;cold,support=sip:support@example.com;warm");
        values.put("TRANSFER_DEFAULT_TARGET", "sales");
        values.put("TRANSFER_MODE", "warm");
        values.put("TWILIO_HUMAN_LABEL", "human agent");
        values.put("TWILIO_STATUS_CALLBACK_URL", "https://abc123.execute-api.us-east-1.amazonaws.com/twilio/conference-events");
        values.put("CALLS_TABLE", "phone-agent-calls");
        values.put("CALLS_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/phone-agent-calls");
        values.put("CONTROL_QUEUE_PREFIX", "phone-agent-ctl-");
        values.put("CALL_EVENTS_URL", "https://backend.example.com/hooks/calls");
        values.put("CALL_EVENTS_SECRET", "whsec_dGVtcGxhdGUtY2hlY2tzLW5vdC1hLXNlY3JldA==");
        values.put("CALL_EVENTS_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/phone-agent-call-events");
        values.put("SUMMARY_MODEL", "gpt-4.1-mini");
        values.put("CONTROL_ACK_TIMEOUT_MS", "5000");
        values.put("WORKER_CAPACITY", "20");
        values.put("LEASE_DURATION_MS", "30000");
        values.put("LEASE_RENEW_MS", "10000");
        values.put("HEALTH_PORT", "8080");
        values.put("SECRETS_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:phone-agent-AbCdEf");
        return values;
    }

    // ------------------------------------------------------------------ routes

    /** Where a part's served routes are published: a public static {@code List<String> ROUTES} ("METHOD /path"). */
    static final Map<Part, List<String>> ROUTE_SOURCES = Map.of(
            Part.WEBHOOK, List.of("ai.phoneagent.webhook.WebhookHandler", "ai.phoneagent.webhook.WebhookService"),
            Part.CONTROL, List.of("ai.phoneagent.control.ControlHandler", "ai.phoneagent.control.api.ControlRoutes"),
            Part.WORKER, List.of());

    /**
     * Used only while a handler publishes no {@code ROUTES}: the routes the architecture gives it
     * (docs/architecture: HTTP API). Kept in step with the code by hand until then.
     */
    static final Map<Part, List<String>> DOCUMENTED_ROUTES = Map.of(
            Part.WEBHOOK, List.of("POST /openai/webhook"),
            Part.CONTROL, List.of(
                    "POST /control/calls/{call_id}/transfer",
                    "POST /control/calls/{call_id}/hangup",
                    "POST /control/calls/{call_id}/instructions",
                    "GET /control/calls",
                    "GET /control/calls/{call_id}",
                    "GET /control/calls/{call_id}/commands/{command_id}",
                    "POST /control/calls/{call_id}/events/replay",
                    "GET /control/transfer-targets",
                    "POST /twilio/conference-events",
                    "POST /control/outbound",
                    "POST /control/outbound/launch",
                    "GET /control/outbound",
                    "GET /control/outbound/{launch_id}",
                    "POST /control/outbound/templates",
                    "GET /control/outbound/templates",
                    "GET /control/outbound/templates/{template_id}",
                    "PUT /control/outbound/templates/{template_id}",
                    "DELETE /control/outbound/templates/{template_id}",
                    "POST /twilio/outbound-status"),
            Part.WORKER, List.of());

    /** The routes the part serves, and where that list came from. */
    record Routes(List<String> routes, String source) {
    }

    static Routes routes(Part part) {
        for (String className : ROUTE_SOURCES.get(part)) {
            Optional<Class<?>> type = load(className);
            if (type.isEmpty()) {
                continue;
            }
            try {
                Field field = type.get().getField("ROUTES");
                if (Modifier.isStatic(field.getModifiers()) && field.get(null) instanceof List<?> list) {
                    List<String> routes = new ArrayList<>();
                    list.forEach(r -> routes.add(String.valueOf(r)));
                    return new Routes(List.copyOf(routes), className + ".ROUTES");
                }
            } catch (NoSuchFieldException | IllegalAccessException e) {
                // not published here
            }
        }
        return new Routes(DOCUMENTED_ROUTES.get(part), "the list in CodeFacts.DOCUMENTED_ROUTES");
    }

    // ------------------------------------------------------------------ table

    /** The table as {@link CallTable#createTableRequest} declares it, plus its TTL attribute. */
    static TableSpec tableSpec() {
        CreateTableRequest request = CallTable.createTableRequest("calls");
        Map<String, String> attributes = new TreeMap<>();
        request.attributeDefinitions().forEach(a -> attributes.put(a.attributeName(), a.attributeTypeAsString()));
        Map<String, TableSpec.Index> indexes = new TreeMap<>();
        request.globalSecondaryIndexes().forEach(g -> indexes.put(g.indexName(),
                new TableSpec.Index(keys(g.keySchema()), g.projection().projectionTypeAsString())));
        return new TableSpec(attributes, keys(request.keySchema()), indexes, request.billingModeAsString(),
                CallTable.TTL_ATTRIBUTE);
    }

    private static List<String> keys(List<KeySchemaElement> schema) {
        List<String> keys = new ArrayList<>();
        schema.stream().filter(k -> k.keyType() == KeyType.HASH).forEach(k -> keys.add(k.attributeName()));
        schema.stream().filter(k -> k.keyType() == KeyType.RANGE).forEach(k -> keys.add(k.attributeName()));
        return keys;
    }

    private CodeFacts() {
    }

    /** Every metric the code emits ({@code ai.phoneagent.metrics.Metric}), as the template checks see them. */
    static List<EmittedMetric> emittedMetrics() {
        return java.util.Arrays.stream(ai.phoneagent.metrics.Metric.values())
                .map(m -> new EmittedMetric(m.metricName(), m.source().value(), m.dimensionSets()))
                .toList();
    }

    /** The metrics the issue asks alarms on: the caller's wait, accept failures, failovers, call-event failures. */
    static final List<String> ALARMED_METRICS = List.of(ai.phoneagent.metrics.Metric.GREETING_WAIT.metricName(),
            ai.phoneagent.metrics.Metric.ACCEPT_FAILURES.metricName(), ai.phoneagent.metrics.Metric.FAILOVERS.metricName(),
            ai.phoneagent.metrics.Metric.CALL_EVENT_FAILURES.metricName());
}
