package ai.phoneagent.templatechecks;

import static ai.phoneagent.templatechecks.Template.at;
import static ai.phoneagent.templatechecks.Template.list;
import static ai.phoneagent.templatechecks.Template.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.localaws.LocalResources;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each check notices a broken template: a copy of {@code template.yaml} is changed in memory and the check must
 * report the problem with a message naming it.
 */
class TemplateChecksDetectProblemsTest {
    private static Template original;

    /** What webhook-lambda reads (a fixed list, so these tests do not move with the code). */
    private static final Set<String> WEBHOOK_READS = new TreeSet<>(Set.of("OPENAI_API_KEY", "OPENAI_WEBHOOK_SECRET",
            "OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_VOICE", "PROMPT_PATH", "INPUT_TRANSCRIPTION_MODEL",
            "INPUT_TRANSCRIPTION_LANGUAGE", "END_CALL_ENABLED", "HTTP_TOOLS_PATH", "HUMAN_AGENT_NUMBER",
            "TWILIO_HUMAN_LABEL", "TRANSFER_MODE", "TRANSFER_TARGETS", "TRANSFER_DEFAULT_TARGET", "TWILIO_ACCOUNT_SID",
            "TWILIO_AUTH_TOKEN", "CALLS_TABLE", "CALLS_QUEUE_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
            "ACCEPT_DEADLINE_MS", "WEBHOOK_MAX_BODY_BYTES", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS",
            "AWS_ENDPOINT_URL_DYNAMODB", "TWILIO_API_BASE_URL", "AWS_CONNECT_TIMEOUT_MS", "AWS_ATTEMPT_TIMEOUT_MS",
            "AWS_CALL_TIMEOUT_MS"));

    @BeforeAll
    static void load() throws IOException {
        original = Template.load(CodeFacts.templateFile());
    }

    private static Template broken() {
        return original.copy();
    }

    private static Map<String, Object> props(Template t, String id) {
        return t.properties(id);
    }

    private static Map<String, Object> webhookEnv(Template t) {
        return map(at(props(t, "WebhookFunction"), "Environment", "Variables"));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> mutableList(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (!(value instanceof List<?>)) {
            List<Object> created = new ArrayList<>();
            if (value != null) {
                created.add(value);
            }
            parent.put(key, created);
            return created;
        }
        return (List<Object>) value;
    }

    private static Map<String, Object> statement(Template t, String role, String sid) {
        for (Object s : list(at(props(t, role), "Policies", 0, "PolicyDocument", "Statement"))) {
            if (sid.equals(map(s).get("Sid"))) {
                return map(s);
            }
        }
        throw new AssertionError("no statement " + sid + " in " + role);
    }

    // ------------------------------------------------------------------ sanity: the fixed facts pass

    @Test
    void theUnbrokenTemplatePassesTheWebhookEnvironmentCheck() {
        assertThat(new TemplateChecks(broken()).checkEnvironment(Part.WEBHOOK, WEBHOOK_READS)).isEmpty();
    }

    // ------------------------------------------------------------------ environment

    @Test
    void aMissingVariableIsReported() {
        Template t = broken();
        webhookEnv(t).remove("CALLS_TABLE");
        assertThat(new TemplateChecks(t).checkEnvironment(Part.WEBHOOK, WEBHOOK_READS))
                .anySatisfy(p -> assertThat(p).contains("webhook-lambda (WebhookFunction) reads CALLS_TABLE")
                        .contains("neither sets it"));
    }

    @Test
    void aNewVariableInTheCodeIsReportedUntilTheTemplateDecides() {
        Set<String> reads = new TreeSet<>(WEBHOOK_READS);
        reads.add("WEBHOOK_NEW_KNOB_MS");
        assertThat(new TemplateChecks(broken()).checkEnvironment(Part.WEBHOOK, reads))
                .containsExactly("webhook-lambda (WebhookFunction) reads WEBHOOK_NEW_KNOB_MS but the template neither"
                        + " sets it nor provides it in the secret; set it, or list it under"
                        + " Metadata.EnvironmentLeftUnset if the code's default is right in AWS");
    }

    @Test
    void lambdaJvmOptionsMissingDifferentOrNotFlagsAreReported() {
        Template missing = broken();
        webhookEnv(missing).remove(TemplateChecks.JVM_OPTIONS);
        assertThat(new TemplateChecks(missing).checkLambdaJvmOptions())
                .containsExactly("webhook-lambda (WebhookFunction) sets no JAVA_TOOL_OPTIONS");
        Template different = broken();
        webhookEnv(different).put(TemplateChecks.JVM_OPTIONS, "-XX:TieredStopAtLevel=1 -Xshare:off");
        assertThat(new TemplateChecks(different).checkLambdaJvmOptions())
                .anySatisfy(p -> assertThat(p).contains("the Lambdas set different JAVA_TOOL_OPTIONS"))
                .anySatisfy(p -> assertThat(p).contains("holds -Xshare:off, not a -XX: or -D flag"));
        assertThat(new TemplateChecks(original).checkEnvironment(Part.WEBHOOK, WEBHOOK_READS))
                .as("read by the JVM, not the code").noneMatch(p -> p.contains(TemplateChecks.JVM_OPTIONS));
    }

    @Test
    void aSecretAsAPlainVariableIsReported() {
        Template t = broken();
        webhookEnv(t).put("OPENAI_API_KEY", Map.of("Ref", "OpenAiModel"));
        assertThat(new TemplateChecks(t).checkEnvironment(Part.WEBHOOK, WEBHOOK_READS))
                .anySatisfy(p -> assertThat(p).contains("sets secret OPENAI_API_KEY as a plain environment variable"));
    }

    @Test
    void secretsWithoutSecretsArnAreReported() {
        Template t = broken();
        webhookEnv(t).remove("SECRETS_ARN");
        assertThat(new TemplateChecks(t).checkEnvironment(Part.WEBHOOK, WEBHOOK_READS))
                .anySatisfy(p -> assertThat(p).contains("does not set SECRETS_ARN to !Ref AgentCredentialsArn")
                        .contains("OPENAI_API_KEY"));
    }

    @Test
    void aSecretKeyMissingFromTheSecretListIsReported() {
        Template t = broken();
        list(at(t.section("Metadata"), "PhoneAgent", "SecretKeys")).remove("OPENAI_WEBHOOK_SECRET");
        assertThat(new TemplateChecks(t).checkEnvironment(Part.WEBHOOK, WEBHOOK_READS))
                .anySatisfy(p -> assertThat(p).startsWith("webhook-lambda (WebhookFunction) reads OPENAI_WEBHOOK_SECRET"
                        + " but the template neither sets it nor provides it in the secret"));
    }

    @Test
    void aVariableTheCodeNeverReadsIsReported() {
        Template t = broken();
        webhookEnv(t).put("WORKER_CAPACITY", "10");
        assertThat(new TemplateChecks(t).checkEnvironment(Part.WEBHOOK, WEBHOOK_READS))
                .contains("webhook-lambda (WebhookFunction) sets WORKER_CAPACITY but webhook-lambda never reads it");
    }

    @Test
    void aStaleLeftUnsetEntryIsReported() {
        Template t = broken();
        mutableList(t.metadata("WebhookFunction"), TemplateChecks.LEFT_UNSET).add("GONE_SETTING");
        assertThat(new TemplateChecks(t).checkEnvironment(Part.WEBHOOK, WEBHOOK_READS))
                .anySatisfy(p -> assertThat(p).contains("lists GONE_SETTING under Metadata.EnvironmentLeftUnset"));
    }

    // ------------------------------------------------------------------ entry points and artifacts

    /** A handler for API Gateway payload 1.0, not what an HTTP API with payload 2.0 sends. */
    public static final class V1Handler implements RequestHandler<Map<String, Object>, String> {
        @Override
        public String handleRequest(Map<String, Object> input, Context context) {
            return "";
        }
    }

    @Test
    void aWrongHandlerIsReported() {
        Template t = broken();
        props(t, "WebhookFunction").put("Handler", "ai.phoneagent.webhook.WebhookHandlr::handleRequest");
        TemplateChecks checks = new TemplateChecks(t);
        assertThat(checks.checkEntryPoint(Part.WEBHOOK, Optional.empty()))
                .anySatisfy(p -> assertThat(p).contains("has Handler ai.phoneagent.webhook.WebhookHandlr::handleRequest"))
                .anySatisfy(p -> assertThat(p).contains("is not on the classpath"));
        assertThat(checks.checkEntryPoint(Part.CONTROL, Optional.of(String.class)))
                .anySatisfy(p -> assertThat(p).contains("java.lang.String does not implement "
                        + "com.amazonaws.services.lambda.runtime.RequestHandler"));
        assertThat(checks.checkEntryPoint(Part.CONTROL, Optional.of(V1Handler.class)))
                .anySatisfy(p -> assertThat(p).contains("payload format 2.0 sends APIGatewayV2HTTPEvent"));
        assertThat(checks.checkEntryPoint(Part.WORKER, Optional.of(String.class)))
                .anySatisfy(p -> assertThat(p).contains("has no public static void main(String[])"));
    }

    @Test
    void aCodeUriThatIsNotTheReactorJarOrSamBuildingItIsReported(@TempDir Path repo) throws IOException {
        Files.createDirectories(repo.resolve("webhook-lambda/target"));
        Files.writeString(repo.resolve("webhook-lambda/pom.xml"), "<project/>");
        Files.writeString(repo.resolve("webhook-lambda/target/webhook-lambda-1.0.0.jar"), "not the shaded jar");
        Template t = broken();
        props(t, "WebhookFunction").put("CodeUri", "webhook-lambda/");
        t.metadata("WebhookFunction").remove("SkipBuild");
        assertThat(new TemplateChecks(t).checkArtifact(Part.WEBHOOK, repo))
                .anySatisfy(p -> assertThat(p).contains("has CodeUri webhook-lambda/, expected the reactor-built"
                        + " webhook-lambda/target/webhook-lambda.jar"))
                .anySatisfy(p -> assertThat(p).contains("needs Metadata SkipBuild: true"))
                .anySatisfy(p -> assertThat(p).contains("the build made [webhook-lambda-1.0.0.jar]")
                        .contains("but not webhook-lambda/target/webhook-lambda.jar"));
    }

    // ------------------------------------------------------------------ routes

    @Test
    void aDroppedRouteIsReported() {
        Template t = broken();
        map(props(t, "ControlFunction").get("Events")).remove("TwilioConferenceEvents");
        assertThat(new TemplateChecks(t).checkRoutes(Part.CONTROL, CodeFacts.DOCUMENTED_ROUTES.get(Part.CONTROL)))
                .containsExactly("control-lambda serves POST /twilio/conference-events but no HTTP API route sends it"
                        + " to ControlFunction");
    }

    @Test
    void aRouteSentToTheWrongFunctionIsReported() {
        Template t = broken();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("Type", "HttpApi");
        event.put("Properties", new LinkedHashMap<>(Map.of("ApiId", Map.of("Ref", "HttpApi"), "Method", "POST",
                "Path", "/control/calls/{id}/hangup", "PayloadFormatVersion", "2.0")));
        map(props(t, "WebhookFunction").get("Events")).put("Stray", event);
        TemplateChecks checks = new TemplateChecks(t);
        assertThat(checks.checkRoutes(Part.CONTROL, CodeFacts.DOCUMENTED_ROUTES.get(Part.CONTROL)))
                .containsExactly("control-lambda serves POST /control/calls/{call_id}/hangup but the HTTP API routes it"
                        + " to WebhookFunction (route POST /control/calls/{id}/hangup)");
        assertThat(checks.checkRoutes(Part.WEBHOOK, CodeFacts.DOCUMENTED_ROUTES.get(Part.WEBHOOK)))
                .containsExactly("route POST /control/calls/{id}/hangup sends requests to WebhookFunction but"
                        + " webhook-lambda serves nothing there");
    }

    @Test
    void aPayloadFormatOtherThan2IsReported() {
        Template t = broken();
        map(at(props(t, "WebhookFunction"), "Events", "OpenAiWebhook", "Properties")).put("PayloadFormatVersion", "1.0");
        assertThat(new TemplateChecks(t).checkRoutes(Part.WEBHOOK, List.of("POST /openai/webhook")))
                .containsExactly("route POST /openai/webhook of WebhookFunction must use PayloadFormatVersion '2.0'");
    }

    // ------------------------------------------------------------------ table and queue

    @Test
    void aTableThatDiffersFromTheCodeIsReported() {
        Template t = broken();
        Map<String, Object> table = props(t, "CallsTable");
        map(list(table.get("KeySchema")).get(1)).put("AttributeName", "sort");
        map(at(table, "GlobalSecondaryIndexes", 0, "Projection")).put("ProjectionType", "KEYS_ONLY");
        map(table.get("TimeToLiveSpecification")).put("AttributeName", "ttl");
        table.remove("PointInTimeRecoverySpecification");
        table.remove("SSESpecification");
        assertThat(new TemplateChecks(t).checkTable(CodeFacts.tableSpec()))
                .anySatisfy(p -> assertThat(p).startsWith("CallsTable KeySchema is [pk, sort]"))
                .anySatisfy(p -> assertThat(p).startsWith("CallsTable GlobalSecondaryIndexes are")
                        .contains("KEYS_ONLY").contains("projection=ALL"))
                .anySatisfy(p -> assertThat(p).startsWith("CallsTable must enable TTL on expiresAt"))
                .anySatisfy(p -> assertThat(p).contains("point-in-time recovery"))
                .anySatisfy(p -> assertThat(p).contains("server-side encryption"));
    }

    @Test
    void aRedriveThatDiffersFromTheCodeOrAnUnwatchedDlqIsReported() {
        Template t = broken();
        map(props(t, "CallsQueue").get("RedrivePolicy")).put("maxReceiveCount", 3);
        t.resources().remove("CallsDeadLetterAlarm");
        assertThat(new TemplateChecks(t).checkCallsQueue(LocalResources.MAX_RECEIVES))
                .containsExactly(
                        "CallsQueue RedrivePolicy maxReceiveCount is 3, the code expects 5 (LocalResources.MAX_RECEIVES)",
                        "no alarm with AlarmActions watches ApproximateNumberOfMessagesVisible of CallsDeadLetterQueue");
    }

    // ------------------------------------------------------------------ IAM

    @Test
    void missingAndExtraPermissionsAreReported() {
        Template t = broken();
        statement(t, "WebhookRole", "CallsQueue").put("Action", "sqs:ReceiveMessage");
        mutableList(statement(t, "WebhookRole", "CallsTable"), "Action").add("dynamodb:DeleteItem");
        assertThat(new TemplateChecks(t).checkPermissions(Part.WEBHOOK, Expectations.PERMISSIONS.get(Part.WEBHOOK)))
                .containsExactlyInAnyOrder(
                        "webhook-lambda is granted sqs:ReceiveMessage on the calls queue, which it does not need",
                        "webhook-lambda is granted dynamodb:DeleteItem on the calls table, which it does not need",
                        "webhook-lambda lacks sqs:SendMessage on the calls queue");
    }

    @Test
    void wildcardsAndUnscopedGrantsAreReported() {
        Template t = broken();
        Map<String, Object> table = statement(t, "ControlRole", "CallsTable");
        mutableList(table, "Action").add("dynamodb:*");
        List<Object> statements = mutableList(map(at(props(t, "ControlRole"), "Policies", 0, "PolicyDocument")), "Statement");
        statements.add(new LinkedHashMap<>(Map.of("Effect", "Allow", "Action", "sqs:SendMessage", "Resource", "*")));
        statements.add(new LinkedHashMap<>(Map.of("Effect", "Allow", "Action", "sqs:SendMessage",
                "Resource", Map.of("Fn::GetAtt", List.of("CallsDeadLetterQueue", "Arn")))));
        assertThat(new TemplateChecks(t).checkPermissions(Part.CONTROL, Expectations.PERMISSIONS.get(Part.CONTROL)))
                .containsExactlyInAnyOrder(
                        "control-lambda is granted wildcard action dynamodb:* on the calls table",
                        "control-lambda is granted sqs:SendMessage on Resource '*'; scope it to the resource",
                        "control-lambda is granted sqs:SendMessage on the calls dead-letter queue, which it does not need");
    }

    @Test
    void policiesOutsideTheExplicitRoleAreReported() {
        Template t = broken();
        props(t, "WebhookFunction").remove("Role");
        props(t, "WebhookFunction").put("Policies", List.of("AmazonDynamoDBFullAccess"));
        mutableList(props(t, "WorkerTaskRole"), "ManagedPolicyArns").add("arn:aws:iam::aws:policy/AdministratorAccess");
        TemplateChecks checks = new TemplateChecks(t);
        assertThat(checks.checkPermissions(Part.WEBHOOK, Expectations.PERMISSIONS.get(Part.WEBHOOK)))
                .anySatisfy(p -> assertThat(p).contains("must run with an explicit AWS::IAM::Role")
                        .contains("SAM Policies are not allowed"));
        assertThat(checks.checkPermissions(Part.WORKER, Expectations.PERMISSIONS.get(Part.WORKER)))
                .contains("role WorkerTaskRole of session-worker attaches managed policy AdministratorAccess; only []"
                        + " may be attached");
    }

    // ------------------------------------------------------------------ worker service, alarms, outputs

    @Test
    void anUnsafeWorkerServiceIsReported() {
        Template t = broken();
        Map<String, Object> service = props(t, "WorkerService");
        service.put("DesiredCount", 1);
        map(at(service, "DeploymentConfiguration", "DeploymentCircuitBreaker")).put("Rollback", false);
        Map<String, Object> task = props(t, "WorkerTaskDefinition");
        map(task.get("RuntimePlatform")).put("CpuArchitecture", "X86_64");
        map(list(task.get("ContainerDefinitions")).getFirst()).put("StopTimeout", 300);
        map(list(task.get("ContainerDefinitions")).getFirst()).remove("HealthCheck");
        props(t, "WorkerSecurityGroup").put("SecurityGroupIngress",
                List.of(Map.of("IpProtocol", "tcp", "FromPort", 8080, "ToPort", 8080, "CidrIp", "0.0.0.0/0")));
        assertThat(new TemplateChecks(t).checkWorkerService()).containsExactlyInAnyOrder(
                "WorkerTaskDefinition must run on ARM64 (RuntimePlatform.CpuArchitecture)",
                "WorkerTaskDefinition container StopTimeout is 300; it needs 30..120 s (Fargate's maximum) to hand its"
                        + " calls to other workers after SIGTERM",
                "WorkerTaskDefinition container needs a HealthCheck that probes GET /health",
                "WorkerService DesiredCount can be 1; at least two tasks keep taking calls when one dies",
                "WorkerService needs DeploymentConfiguration.DeploymentCircuitBreaker with Enable and Rollback true",
                "security group WorkerSecurityGroup of the worker allows inbound traffic; the worker needs none");
    }

    @Test
    void aMinimumTaskParameterThatAllowsOneTaskIsReported() {
        Template t = broken();
        map(t.parameters().get("WorkerMinTasks")).put("MinValue", 1);
        assertThat(new TemplateChecks(t).checkWorkerService())
                .contains("WorkerService DesiredCount can be 1; at least two tasks keep taking calls when one dies",
                        "WorkerScalableTarget MinCapacity can go below 2");
    }

    @Test
    void aPartThatWouldKeepOldSecretValuesIsReported() {
        Template t = broken();
        props(t, "ControlFunction").put("Description", "control");
        map(list(props(t, "WorkerTaskDefinition").get("ContainerDefinitions")).getFirst()).remove("DockerLabels");
        assertThat(new TemplateChecks(t).checkConfigRevision("ConfigRevision")).containsExactly(
                "ControlFunction must publish a new version when ConfigRevision changes (Description using it,"
                        + " AutoPublishAliasAllProperties: true)",
                "WorkerTaskDefinition must change when ConfigRevision changes (a container DockerLabels value"
                        + " !Ref ConfigRevision)");
    }

    @Test
    void silentOrMissingAlarmsAreReported() {
        Template t = broken();
        props(t, "CallsWaitingAlarm").remove("AlarmActions");
        t.resources().remove("WebhookErrorsAlarm");
        t.resources().remove("WorkerTasksMissingAlarm");
        t.resources().remove("WorkerCpuHighAlarm");
        assertThat(new TemplateChecks(t).checkAlarms()).containsExactly(
                "alarm CallsWaitingAlarm has no AlarmActions",
                "no alarm watches the AWS/Lambda metrics of WebhookFunction",
                "no alarm watches the worker service (ECS/ContainerInsights or AWS/ECS metrics)");
    }

    @Test
    void aWrongWebhookUrlOutputIsReported() {
        Template t = broken();
        map(map(t.root().get("Outputs")).get("WebhookUrl"))
                .put("Value", Map.of("Fn::Sub", "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/webhook"));
        assertThat(new TemplateChecks(t).checkOutputs("/openai/webhook")).containsExactly(
                "output WebhookUrl evaluates to https://httpapi0id.execute-api.us-east-1.amazonaws.com/webhook, expected"
                        + " https://httpapi0id.execute-api.us-east-1.amazonaws.com/openai/webhook");
    }

    @Test
    void metricsTheCodeDoesNotEmitOrEmitsOtherwiseAreReported() {
        Template t = broken();
        props(t, "FailoversAlarm").put("MetricName", "Failover");
        props(t, "AcceptFailuresAlarm").put("Dimensions", List.of(Map.of("Name", "Service", "Value", "worker")));
        props(t, "GreetingWaitAlarm").put("Dimensions", List.of(Map.of("Name", "Service", "Value", "worker"),
                Map.of("Name", "CallId", "Value", "rtc_1")));
        props(t, "CallEventDeliveryFailuresAlarm").put("Namespace", "PhoneAgentStaging");
        assertThat(new TemplateChecks(t).checkMetrics("PhoneAgent", CodeFacts.emittedMetrics(), CodeFacts.ALARMED_METRICS))
                .containsExactlyInAnyOrder(
                        "alarm FailoversAlarm names metric Failover, which the code does not emit",
                        "alarm AcceptFailuresAlarm names AcceptFailures with Service=worker, but webhook emits it",
                        "alarm GreetingWaitAlarm names GreetingWait with dimensions [Service, CallId], but it is emitted"
                                + " only with [[Service], [Service, CallDirection]]",
                        "alarm CallEventDeliveryFailuresAlarm names namespace PhoneAgentStaging, which nothing emits"
                                + " (the code's is PhoneAgent)",
                        "no alarm watches PhoneAgent metric Failovers",
                        "no alarm watches PhoneAgent metric CallEventDeliveryFailures");
    }

    @Test
    void aDashboardWidgetOrSearchNamingAnUnknownMetricOrLeavingOneOffIsReported() {
        Template t = broken();
        Map<String, Object> dashboard = props(t, "CallsDashboard");
        String body = String.valueOf(map(dashboard.get("DashboardBody")).get("Fn::Sub"));
        assertThat(body).contains("\"TurnsStored\"", "MetricName=\\\"ToolLatency\\\"");
        body = body.replace("\"TurnsStored\"", "\"TurnStored\"")
                .replace("{PhoneAgent,Service,Tool} MetricName=\\\"ToolLatency\\\"",
                        "{PhoneAgent,Service,Outcome} MetricName=\\\"ToolLatency\\\"");
        dashboard.put("DashboardBody", Map.of("Fn::Sub", body));
        List<String> problems = new TemplateChecks(t).checkMetrics("PhoneAgent", CodeFacts.emittedMetrics(), List.of());
        assertThat(problems).hasSize(3).anySatisfy(p -> assertThat(p)
                .endsWith("(Transcript store) names metric TurnStored, which the code does not emit"))
                .anySatisfy(p -> assertThat(p).endsWith("names ToolLatency with dimensions [Service, Outcome], but it is"
                        + " emitted only with [[Service], [Service, Tool]]"))
                .contains("metric TurnsStored is emitted but no dashboard widget shows it");
    }
}
