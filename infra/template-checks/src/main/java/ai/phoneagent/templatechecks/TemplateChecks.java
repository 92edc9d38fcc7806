package ai.phoneagent.templatechecks;

import static ai.phoneagent.templatechecks.Template.at;
import static ai.phoneagent.templatechecks.Template.getAttTarget;
import static ai.phoneagent.templatechecks.Template.list;
import static ai.phoneagent.templatechecks.Template.map;
import static ai.phoneagent.templatechecks.Template.refTarget;
import static ai.phoneagent.templatechecks.Template.string;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Holds {@code template.yaml} against facts from the code. Every check returns its problems as sentences naming
 * the part, resource, variable, route or action at fault; an empty list means the template is right.
 */
public final class TemplateChecks {
    /** Resource metadata listing variables the code reads that the deployment deliberately leaves unset. */
    public static final String LEFT_UNSET = "EnvironmentLeftUnset";
    /** Read by the JVM itself, not by the code: the Lambdas' JVM options (the bench measures their starts with it). */
    public static final String JVM_OPTIONS = "JAVA_TOOL_OPTIONS";
    public static final String SECRETS_ARN = "SECRETS_ARN";
    static final String LAMBDA_HANDLER_INTERFACE = "com.amazonaws.services.lambda.runtime.RequestHandler";
    static final String V2_EVENT = "com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent";
    static final String V2_RESPONSE = "com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse";
    /** Actions that cannot be scoped to a resource, so {@code Resource: '*'} is the narrowest grant. */
    public static final Set<String> UNSCOPABLE_ACTIONS = Set.of("sqs:ListQueues", "cloudwatch:PutMetricData",
            "ecr:GetAuthorizationToken", "xray:PutTraceSegments", "xray:PutTelemetryRecords");
    static final Map<Part.Kind, Set<String>> ALLOWED_MANAGED_POLICIES = Map.of(
            Part.Kind.LAMBDA, Set.of("service-role/AWSLambdaBasicExecutionRole"),
            Part.Kind.ECS_SERVICE, Set.of());
    static final Set<String> ALLOWED_EXECUTION_ROLE_POLICIES = Set.of("service-role/AmazonECSTaskExecutionRolePolicy");
    static final Map<Part.Kind, String> SERVICE_PRINCIPAL = Map.of(
            Part.Kind.LAMBDA, "lambda.amazonaws.com", Part.Kind.ECS_SERVICE, "ecs-tasks.amazonaws.com");

    private final Template template;
    private final FakeStack stack;

    public TemplateChecks(Template template) {
        this.template = template;
        this.stack = new FakeStack(template);
    }

    public Template template() {
        return template;
    }

    public FakeStack stack() {
        return stack;
    }

    // ================================================================== environment

    /** The variables the template sets for a part, with their (unevaluated) values; empty if the part is missing. */
    public Map<String, Object> environment(Part part) {
        Map<String, Object> env = new LinkedHashMap<>();
        if (part.kind() == Part.Kind.LAMBDA) {
            map(at(template.section("Globals"), "Function", "Environment", "Variables")).forEach(env::put);
            map(at(template.properties(part.logicalId()), "Environment", "Variables")).forEach(env::put);
        } else {
            for (Object pair : list(workerContainer().get("Environment"))) {
                String name = string(map(pair).get("Name"));
                if (name != null) {
                    env.put(name, map(pair).get("Value"));
                }
            }
        }
        return env;
    }

    /** The environment evaluated with every parameter at its default (names set to NoValue are dropped). */
    public Map<String, String> resolvedEnvironment(Part part) {
        Map<String, String> env = new TreeMap<>();
        environment(part).forEach((name, value) -> {
            String resolved = stack.resolve(value);
            if (resolved != null) {
                env.put(name, resolved);
            }
        });
        return env;
    }

    /**
     * The parameter holding the secret's ARN, named by the template's {@code Metadata.PhoneAgent.SecretArnParameter}
     * (the secret lives outside the stack, created and filled before the first deployment).
     */
    public Optional<String> secretParameter() {
        String name = string(at(template.section("Metadata"), "PhoneAgent", "SecretArnParameter"));
        return name != null && template.parameters().containsKey(name) ? Optional.of(name) : Optional.empty();
    }

    /** The variable names the secret's JSON provides: the template's {@code Metadata.PhoneAgent.SecretKeys}. */
    public Set<String> secretKeys() {
        Set<String> keys = new TreeSet<>();
        list(at(template.section("Metadata"), "PhoneAgent", "SecretKeys")).forEach(k -> keys.add(string(k)));
        return keys;
    }

    /**
     * The Lambdas' JVM options ({@value #JVM_OPTIONS}): every Lambda sets one and the same value, made of JVM flags
     * only ({@code -XX:...}, {@code -D...}), since the bench measures the handlers' starts with that one value.
     */
    public List<String> checkLambdaJvmOptions() {
        List<String> problems = new ArrayList<>();
        Set<String> values = new TreeSet<>();
        for (Part part : Part.values()) {
            if (part.kind() != Part.Kind.LAMBDA || template.resource(part.logicalId()).isEmpty()) {
                continue;
            }
            String value = resolvedEnvironment(part).get(JVM_OPTIONS);
            if (value == null || value.isBlank()) {
                problems.add(part + " (" + part.logicalId() + ") sets no " + JVM_OPTIONS);
                continue;
            }
            values.add(value.strip());
            for (String flag : value.strip().split("\\s+")) {
                if (!flag.startsWith("-XX:") && !flag.startsWith("-D")) {
                    problems.add(part + " (" + part.logicalId() + "): " + JVM_OPTIONS + " holds " + flag
                            + ", not a -XX: or -D flag");
                }
            }
        }
        if (values.size() > 1) {
            problems.add("the Lambdas set different " + JVM_OPTIONS + " " + values + "; the bench measures one");
        }
        return problems;
    }

    /** Variables the template lists under the part's {@value #LEFT_UNSET} metadata. */
    public Set<String> leftUnset(Part part) {
        Set<String> names = new TreeSet<>();
        list(template.metadata(part.logicalId()).get(LEFT_UNSET)).forEach(n -> names.add(string(n)));
        return names;
    }

    /**
     * Every variable the part's code reads is set for it, comes from the secret, is set by the platform, or is
     * listed as deliberately unset; secrets are never plain variables; nothing is set that the code never reads.
     */
    public List<String> checkEnvironment(Part part, Set<String> namesRead) {
        List<String> problems = new ArrayList<>();
        if (template.resource(part.logicalId()).isEmpty()) {
            return List.of(part + ": the template has no resource " + part.logicalId());
        }
        Map<String, Object> env = environment(part);
        Set<String> secrets = secretKeys();
        Set<String> unset = leftUnset(part);
        Set<String> platform = part.kind().platformVariables();
        String where = part + " (" + part.logicalId() + ")";
        for (String name : new TreeSet<>(namesRead)) {
            boolean covered = env.containsKey(name) || secrets.contains(name) || unset.contains(name)
                    || platform.contains(name) || name.equals(SECRETS_ARN);
            if (!covered) {
                problems.add(where + " reads " + name + " but the template neither sets it nor provides it in the"
                        + " secret; set it, or list it under Metadata." + LEFT_UNSET + " if the code's default is"
                        + " right in AWS");
            }
        }
        for (String name : env.keySet()) {
            if (secrets.contains(name)) {
                problems.add(where + " sets secret " + name + " as a plain environment variable; it must come"
                        + " from the Secrets Manager secret via " + SECRETS_ARN);
            } else if (!namesRead.contains(name) && !name.equals(SECRETS_ARN)
                    && !(name.equals(JVM_OPTIONS) && part.kind() == Part.Kind.LAMBDA)) {
                problems.add(where + " sets " + name + " but " + part + " never reads it");
            }
            if (unset.contains(name)) {
                problems.add(where + " sets " + name + " and also lists it under Metadata." + LEFT_UNSET);
            }
        }
        for (String name : unset) {
            if (!namesRead.contains(name)) {
                problems.add(where + " lists " + name + " under Metadata." + LEFT_UNSET + " but " + part
                        + " never reads it");
            }
        }
        List<String> fromSecret = namesRead.stream().filter(n -> secrets.contains(n) && !env.containsKey(n)).sorted().toList();
        if (!fromSecret.isEmpty()) {
            Optional<String> secret = secretParameter();
            if (secret.isEmpty()) {
                problems.add(where + " needs " + fromSecret + " from the secret, but the template's"
                        + " Metadata.PhoneAgent.SecretArnParameter names no parameter");
            } else if (!secret.get().equals(refTarget(env.get(SECRETS_ARN)))) {
                problems.add(where + " reads " + fromSecret + " from the secret but does not set " + SECRETS_ARN
                        + " to !Ref " + secret.get());
            }
        }
        return problems;
    }

    // ================================================================== entry points and artifacts

    /**
     * The resource runs the right class: a Lambda's Handler names {@code <handler>::handleRequest}, a class with a
     * public no-argument constructor implementing {@code RequestHandler<APIGatewayV2HTTPEvent,
     * APIGatewayV2HTTPResponse>}; the worker's main class has {@code public static void main(String[])}.
     */
    public List<String> checkEntryPoint(Part part, Optional<Class<?>> entry) {
        List<String> problems = new ArrayList<>();
        String where = part + " (" + part.logicalId() + ")";
        if (part.kind() == Part.Kind.LAMBDA) {
            if (!"AWS::Serverless::Function".equals(template.type(part.logicalId()))) {
                return List.of(where + ": the template has no AWS::Serverless::Function " + part.logicalId());
            }
            String handler = string(template.properties(part.logicalId()).get("Handler"));
            String expected = part.entryClass() + "::handleRequest";
            if (!expected.equals(handler)) {
                problems.add(where + " has Handler " + handler + ", expected " + expected);
            }
        } else if (!"AWS::ECS::TaskDefinition".equals(template.type(part.logicalId()))) {
            return List.of(where + ": the template has no AWS::ECS::TaskDefinition " + part.logicalId());
        }
        if (entry.isEmpty()) {
            problems.add(where + ": class " + part.entryClass() + " is not on the classpath of " + part.module());
            return problems;
        }
        Class<?> type = entry.get();
        if (part.kind() == Part.Kind.LAMBDA) {
            Optional<ParameterizedType> handlerType = requestHandlerType(type);
            if (handlerType.isEmpty()) {
                problems.add(where + ": " + type.getName() + " does not implement " + LAMBDA_HANDLER_INTERFACE);
            } else {
                Type[] args = handlerType.get().getActualTypeArguments();
                if (!V2_EVENT.equals(args[0].getTypeName()) || !V2_RESPONSE.equals(args[1].getTypeName())) {
                    problems.add(where + ": " + type.getName() + " handles " + handlerType.get().getTypeName()
                            + ", but an HTTP API with payload format 2.0 sends APIGatewayV2HTTPEvent and expects"
                            + " APIGatewayV2HTTPResponse");
                }
            }
            if (Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
                problems.add(where + ": " + type.getName() + " must be a public concrete class for the Lambda runtime");
            }
            boolean noArgConstructor = Stream.of(type.getConstructors())
                    .anyMatch(c -> c.getParameterCount() == 0 && Modifier.isPublic(c.getModifiers()));
            if (!noArgConstructor) {
                problems.add(where + ": " + type.getName() + " needs a public no-argument constructor (the Lambda"
                        + " runtime creates the handler with it)");
            }
        } else {
            try {
                Method main = type.getMethod("main", String[].class);
                if (!Modifier.isStatic(main.getModifiers()) || main.getReturnType() != void.class) {
                    problems.add(where + ": " + type.getName() + ".main must be public static void");
                }
            } catch (NoSuchMethodException e) {
                problems.add(where + ": " + type.getName() + " has no public static void main(String[])");
            }
        }
        return problems;
    }

    private static Optional<ParameterizedType> requestHandlerType(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType().getTypeName().equals(LAMBDA_HANDLER_INTERFACE)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A Lambda's CodeUri is its module's reactor-built jar ({@link Part#artifact()}) with Metadata SkipBuild (so
     * {@code sam build} does not try to build a module alone); the worker image is built from the same jar. When
     * the module has been packaged, the jar must exist and hold the entry class.
     */
    public List<String> checkArtifact(Part part, Path repoRoot) {
        List<String> problems = new ArrayList<>();
        String where = part + " (" + part.logicalId() + ")";
        if (!Files.isRegularFile(repoRoot.resolve(part.module()).resolve("pom.xml"))) {
            problems.add(where + ": module folder " + part.module() + " has no pom.xml");
        }
        if (part.kind() == Part.Kind.LAMBDA) {
            String codeUri = string(template.properties(part.logicalId()).get("CodeUri"));
            if (!part.artifact().equals(codeUri)) {
                problems.add(where + " has CodeUri " + codeUri + ", expected the reactor-built " + part.artifact());
            }
            if (!Boolean.TRUE.equals(template.metadata(part.logicalId()).get("SkipBuild"))) {
                problems.add(where + " needs Metadata SkipBuild: true, or `sam build` tries to build the jar's"
                        + " folder as a Maven project of its own");
            }
        } else {
            Path dockerfile = repoRoot.resolve("infra/worker-container/Dockerfile");
            try {
                if (!Files.readString(dockerfile).contains(part.artifact())) {
                    problems.add(where + ": infra/worker-container/Dockerfile does not copy " + part.artifact());
                }
            } catch (IOException e) {
                problems.add(where + ": cannot read infra/worker-container/Dockerfile");
            }
        }
        Path jar = repoRoot.resolve(part.artifact());
        Path target = jar.getParent();
        if (Files.isRegularFile(jar)) {
            problems.addAll(checkJar(part, jar));
        } else if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                List<String> jars = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
                if (!jars.isEmpty()) {
                    problems.add(where + ": the build made " + jars + " in " + part.module() + "/target but not "
                            + part.artifact() + ", which the deployment uses");
                }
            } catch (IOException e) {
                problems.add(where + ": cannot list " + target);
            }
        }
        return problems;
    }

    private static List<String> checkJar(Part part, Path jar) {
        List<String> problems = new ArrayList<>();
        String entry = part.entryClass().replace('.', '/') + ".class";
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getEntry(entry) == null) {
                problems.add(part + ": " + part.artifact() + " does not contain " + part.entryClass());
            }
            if (file.getEntry("com/amazonaws/services/lambda/runtime/RequestHandler.class") == null
                    && part.kind() == Part.Kind.LAMBDA) {
                problems.add(part + ": " + part.artifact() + " is not shaded (no aws-lambda-java-core inside)");
            }
            if (part.kind() == Part.Kind.ECS_SERVICE) {
                String main = file.getManifest() == null ? null
                        : file.getManifest().getMainAttributes().getValue("Main-Class");
                if (!part.entryClass().equals(main)) {
                    problems.add(part + ": " + part.artifact() + " has Main-Class " + main + ", expected "
                            + part.entryClass() + " (the image runs java -jar)");
                }
            }
        } catch (IOException e) {
            problems.add(part + ": " + part.artifact() + " is not a readable jar");
        }
        return problems;
    }

    // ================================================================== routes

    /** One HTTP API route of the template and the function it invokes. */
    public record Route(String method, String path, String function, String event) {
        public String key() {
            return method + " " + path;
        }
    }

    /** The HttpApi routes the functions' events declare. */
    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (String fn : template.resourcesOfType("AWS::Serverless::Function")) {
            map(template.properties(fn).get("Events")).forEach((event, spec) -> {
                if ("HttpApi".equals(string(map(spec).get("Type")))) {
                    Map<String, Object> props = map(map(spec).get("Properties"));
                    String method = string(props.get("Method"));
                    routes.add(new Route(method == null ? "ANY" : method.toUpperCase(java.util.Locale.ROOT),
                            string(props.get("Path")), fn, event));
                }
            });
        }
        return routes;
    }

    /**
     * Every route the part serves ({@code "METHOD /path/{param}"}) reaches its function through the one HTTP API,
     * with payload format 2.0, and every route the template sends to the function is one it serves.
     */
    public List<String> checkRoutes(Part part, List<String> served) {
        List<String> problems = new ArrayList<>();
        List<String> apis = new ArrayList<>(template.resourcesOfType("AWS::Serverless::HttpApi"));
        if (apis.size() != 1) {
            return List.of("the template must declare exactly one AWS::Serverless::HttpApi, found " + apis);
        }
        String api = apis.getFirst();
        List<Route> routes = routes();
        for (String key : served) {
            String[] parts = key.split(" ", 2);
            String concrete = parts[1].replaceAll("\\{[^}/]+}", "x1");
            Optional<Route> chosen = select(routes, parts[0], concrete);
            if (chosen.isEmpty()) {
                problems.add(part + " serves " + key + " but no HTTP API route sends it to " + part.logicalId());
            } else if (!chosen.get().function().equals(part.logicalId())) {
                problems.add(part + " serves " + key + " but the HTTP API routes it to " + chosen.get().function()
                        + " (route " + chosen.get().key() + ")");
            }
        }
        for (Route route : routes) {
            if (!route.function().equals(part.logicalId())) {
                continue;
            }
            Map<String, Object> props = map(at(template.properties(route.function()), "Events", route.event(), "Properties"));
            if (!api.equals(refTarget(props.get("ApiId")))) {
                problems.add("route " + route.key() + " of " + part.logicalId() + " is not on HttpApi " + api
                        + " (ApiId: !Ref " + api + ")");
            }
            if (!"2.0".equals(string(props.get("PayloadFormatVersion")))) {
                problems.add("route " + route.key() + " of " + part.logicalId() + " must use PayloadFormatVersion '2.0'");
            }
            boolean useful = served.stream().anyMatch(key -> {
                String[] parts = key.split(" ", 2);
                return matches(route, parts[0], parts[1].replaceAll("\\{[^}/]+}", "x1"));
            });
            if (!useful) {
                problems.add("route " + route.key() + " sends requests to " + part.logicalId() + " but " + part
                        + " serves nothing there");
            }
        }
        return problems;
    }

    /** API Gateway's choice among matching routes: exact paths over greedy ones, more literal segments, exact method. */
    static Optional<Route> select(List<Route> routes, String method, String path) {
        return routes.stream()
                .filter(r -> matches(r, method, path))
                .max(Comparator.<Route>comparingInt(r -> r.path().contains("+}") ? 0 : 1)
                        .thenComparingInt(r -> (int) Stream.of(r.path().split("/")).filter(s -> !s.startsWith("{")).count())
                        .thenComparingInt(r -> r.method().equals("ANY") ? 0 : 1));
    }

    static boolean matches(Route route, String method, String path) {
        if (!route.method().equals("ANY") && !route.method().equals(method)) {
            return false;
        }
        if (route.path() == null) {
            return false;
        }
        String[] pattern = route.path().substring(1).split("/");
        String[] actual = path.substring(1).split("/");
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("+}")) {
                return i == pattern.length - 1 && actual.length > i;
            }
            if (i >= actual.length) {
                return false;
            }
            if (!p.startsWith("{") && !p.equals(actual[i])) {
                return false;
            }
        }
        return pattern.length == actual.length;
    }

    // ================================================================== table and queue

    /** The resource every part's CALLS_TABLE (or CALLS_QUEUE_URL) points at; problems when they disagree. */
    private Optional<String> sharedTarget(String variable, String type, List<String> problems) {
        Set<String> targets = new LinkedHashSet<>();
        for (Part part : Part.values()) {
            Object value = environment(part).get(variable);
            if (value != null) {
                String target = refTarget(value);
                if (target == null || !type.equals(template.type(target))) {
                    problems.add(part + " sets " + variable + " to " + value + ", not a !Ref to an " + type);
                } else {
                    targets.add(target);
                }
            }
        }
        if (targets.size() > 1) {
            problems.add("the parts' " + variable + " point at different resources: " + targets);
        }
        if (targets.isEmpty()) {
            problems.add("no part's " + variable + " points at an " + type);
            return Optional.empty();
        }
        return Optional.of(targets.iterator().next());
    }

    /** The calls table (the resource behind CALLS_TABLE) is the table the code declares, with TTL, PITR and SSE. */
    public List<String> checkTable(TableSpec spec) {
        List<String> problems = new ArrayList<>();
        Optional<String> table = sharedTarget("CALLS_TABLE", "AWS::DynamoDB::Table", problems);
        if (table.isEmpty()) {
            return problems;
        }
        String t = table.get();
        Map<String, Object> props = template.properties(t);
        Map<String, String> attributes = new TreeMap<>();
        for (Object a : list(props.get("AttributeDefinitions"))) {
            attributes.put(string(map(a).get("AttributeName")), string(map(a).get("AttributeType")));
        }
        if (!attributes.equals(new TreeMap<>(spec.attributes()))) {
            problems.add(t + " AttributeDefinitions are " + attributes + ", the code declares " + new TreeMap<>(spec.attributes()));
        }
        List<String> keys = keySchema(props.get("KeySchema"));
        if (!keys.equals(spec.keySchema())) {
            problems.add(t + " KeySchema is " + keys + " (hash, range), the code declares " + spec.keySchema());
        }
        Map<String, TableSpec.Index> indexes = new TreeMap<>();
        for (Object gsi : list(props.get("GlobalSecondaryIndexes"))) {
            indexes.put(string(map(gsi).get("IndexName")), new TableSpec.Index(keySchema(map(gsi).get("KeySchema")),
                    string(at(gsi, "Projection", "ProjectionType"))));
        }
        if (!indexes.equals(new TreeMap<>(spec.indexes()))) {
            problems.add(t + " GlobalSecondaryIndexes are " + indexes + ", the code declares " + new TreeMap<>(spec.indexes()));
        }
        String billing = string(props.get("BillingMode"));
        if (!spec.billingMode().equals(billing)) {
            problems.add(t + " BillingMode is " + billing + ", the code declares " + spec.billingMode());
        }
        String ttl = string(at(props, "TimeToLiveSpecification", "AttributeName"));
        if (!spec.ttlAttribute().equals(ttl) || !Boolean.TRUE.equals(at(props, "TimeToLiveSpecification", "Enabled"))) {
            problems.add(t + " must enable TTL on " + spec.ttlAttribute() + " (TimeToLiveSpecification is "
                    + props.get("TimeToLiveSpecification") + ")");
        }
        if (!Boolean.TRUE.equals(at(props, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"))) {
            problems.add(t + " must enable point-in-time recovery (PointInTimeRecoverySpecification)");
        }
        if (!Boolean.TRUE.equals(at(props, "SSESpecification", "SSEEnabled"))) {
            problems.add(t + " must enable server-side encryption with KMS (SSESpecification.SSEEnabled)");
        }
        return problems;
    }

    private static List<String> keySchema(Object schema) {
        String hash = null;
        String range = null;
        for (Object k : list(schema)) {
            String name = string(map(k).get("AttributeName"));
            if ("HASH".equals(string(map(k).get("KeyType")))) {
                hash = name;
            } else if ("RANGE".equals(string(map(k).get("KeyType")))) {
                range = name;
            }
        }
        List<String> keys = new ArrayList<>();
        keys.add(hash);
        if (range != null) {
            keys.add(range);
        }
        return keys;
    }

    /** The calls queue redrives to an SQS DLQ after {@code maxReceives} receives, and an alarm watches the DLQ. */
    public List<String> checkCallsQueue(int maxReceives) {
        List<String> problems = new ArrayList<>();
        Optional<String> queue = sharedTarget("CALLS_QUEUE_URL", "AWS::SQS::Queue", problems);
        if (queue.isEmpty()) {
            return problems;
        }
        Map<String, Object> props = template.properties(queue.get());
        Map<String, Object> redrive = map(props.get("RedrivePolicy"));
        String dlq = getAttTarget(redrive.get("deadLetterTargetArn"), "Arn");
        if (dlq == null || !"AWS::SQS::Queue".equals(template.type(dlq))) {
            problems.add(queue.get() + " needs a RedrivePolicy whose deadLetterTargetArn is !GetAtt <queue>.Arn of a"
                    + " dead-letter queue in this template");
        }
        String receives = string(redrive.get("maxReceiveCount"));
        if (!String.valueOf(maxReceives).equals(receives)) {
            problems.add(queue.get() + " RedrivePolicy maxReceiveCount is " + receives + ", the code expects "
                    + maxReceives + " (LocalResources.MAX_RECEIVES)");
        }
        String visibility = string(props.get("VisibilityTimeout"));
        if (visibility == null || Integer.parseInt(visibility) < 10 || Integer.parseInt(visibility) > 120) {
            problems.add(queue.get() + " VisibilityTimeout is " + visibility + "; between 10 and 120 s, a call"
                    + " whose worker died before claiming it goes to another worker while the caller still waits");
        }
        if (dlq != null) {
            boolean watched = template.resourcesOfType("AWS::CloudWatch::Alarm").stream().anyMatch(alarm -> {
                Map<String, Object> a = template.properties(alarm);
                return "AWS/SQS".equals(string(a.get("Namespace")))
                        && "ApproximateNumberOfMessagesVisible".equals(string(a.get("MetricName")))
                        && list(a.get("Dimensions")).stream().anyMatch(d -> dlq.equals(getAttTarget(map(d).get("Value"), "QueueName")))
                        && !list(a.get("AlarmActions")).isEmpty();
            });
            if (!watched) {
                problems.add("no alarm with AlarmActions watches ApproximateNumberOfMessagesVisible of " + dlq);
            }
        }
        return problems;
    }

    // ================================================================== IAM

    /** One allowed action on one classified resource. */
    public record Grant(String action, Target target) {
    }

    /** The role that runs the part's code: the function's Role, or the task definition's TaskRoleArn. */
    public Optional<String> role(Part part) {
        Map<String, Object> props = template.properties(part.logicalId());
        Object arn = part.kind() == Part.Kind.LAMBDA ? props.get("Role") : props.get("TaskRoleArn");
        String role = getAttTarget(arn, "Arn");
        return role != null && "AWS::IAM::Role".equals(template.type(role)) ? Optional.of(role) : Optional.empty();
    }

    /** Policy statements attached to a role: inline ones and AWS::IAM::Policy / ManagedPolicy resources naming it. */
    private List<Map<String, Object>> statements(String role) {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Object policy : list(template.properties(role).get("Policies"))) {
            list(at(policy, "PolicyDocument", "Statement")).forEach(s -> statements.add(map(s)));
        }
        for (String type : List.of("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")) {
            for (String id : template.resourcesOfType(type)) {
                Map<String, Object> props = template.properties(id);
                if (list(props.get("Roles")).stream().anyMatch(r -> role.equals(refTarget(r)))) {
                    list(at(props, "PolicyDocument", "Statement")).forEach(s -> statements.add(map(s)));
                }
            }
        }
        return statements;
    }

    private Map<String, Target> targets(Part part) {
        Map<String, Target> targets = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        sharedTarget("CALLS_TABLE", "AWS::DynamoDB::Table", ignored).ifPresent(t -> {
            String arn = stack.resolve(Map.of("Fn::GetAtt", List.of(t, "Arn")));
            targets.put(arn, Target.CALLS_TABLE);
            targets.put(arn + "/index/*", Target.CALLS_TABLE_INDEXES);
        });
        sharedTarget("CALLS_QUEUE_URL", "AWS::SQS::Queue", ignored).ifPresent(q -> {
            targets.put(stack.resolve(Map.of("Fn::GetAtt", List.of(q, "Arn"))), Target.CALLS_QUEUE);
            String dlq = getAttTarget(at(template.properties(q), "RedrivePolicy", "deadLetterTargetArn"), "Arn");
            if (dlq != null) {
                targets.put(stack.resolve(Map.of("Fn::GetAtt", List.of(dlq, "Arn"))), Target.CALLS_DLQ);
            }
        });
        sharedTarget("CALL_EVENTS_QUEUE_URL", "AWS::SQS::Queue", ignored).ifPresent(q ->
                targets.put(stack.resolve(Map.of("Fn::GetAtt", List.of(q, "Arn"))), Target.CALL_EVENTS_QUEUE));
        for (Part p : Part.values()) {
            Object prefix = environment(p).get("CONTROL_QUEUE_PREFIX");
            if (prefix != null) {
                targets.put("arn:aws:sqs:" + FakeStack.REGION + ":" + FakeStack.ACCOUNT + ":" + stack.resolve(prefix) + "*",
                        Target.CONTROL_QUEUES);
            }
        }
        secretParameter().ifPresent(s -> targets.put(stack.resolve(Map.of("Ref", s)), Target.SECRET));
        String logGroup = part.kind() == Part.Kind.LAMBDA
                ? refTarget(at(template.properties(part.logicalId()), "LoggingConfig", "LogGroup"))
                : refTarget(at(workerContainer(), "LogConfiguration", "Options", "awslogs-group"));
        if (logGroup != null && "AWS::Logs::LogGroup".equals(template.type(logGroup))) {
            targets.put(stack.resolve(Map.of("Fn::GetAtt", List.of(logGroup, "Arn"))), Target.OWN_LOG_GROUP);
        }
        targets.put("*", Target.ANY);
        return targets;
    }

    /** The (action, target) pairs the part's role allows; problems for statements that cannot be classified. */
    public Set<Grant> grants(Part part, List<String> problems) {
        Set<Grant> grants = new LinkedHashSet<>();
        Optional<String> role = role(part);
        String where = part + " (" + part.logicalId() + ")";
        if (role.isEmpty()) {
            problems.add(where + " must run with an explicit AWS::IAM::Role of this template ("
                    + (part.kind() == Part.Kind.LAMBDA ? "Role" : "TaskRoleArn") + ": !GetAtt <role>.Arn), so its"
                    + " permissions can be checked; SAM Policies are not allowed");
            return grants;
        }
        if (part.kind() == Part.Kind.LAMBDA && template.properties(part.logicalId()).containsKey("Policies")) {
            problems.add(where + " has SAM Policies; put every permission on its role " + role.get());
        }
        Map<String, Object> roleProps = template.properties(role.get());
        String principal = SERVICE_PRINCIPAL.get(part.kind());
        boolean trusted = list(at(roleProps, "AssumeRolePolicyDocument", "Statement")).stream()
                .anyMatch(s -> list(at(s, "Principal", "Service")).contains(principal));
        if (!trusted) {
            problems.add("role " + role.get() + " of " + part + " must trust " + principal);
        }
        for (Object arn : list(roleProps.get("ManagedPolicyArns"))) {
            String name = managedPolicyName(arn);
            if (!ALLOWED_MANAGED_POLICIES.get(part.kind()).contains(name)) {
                problems.add("role " + role.get() + " of " + part + " attaches managed policy " + name
                        + "; only " + ALLOWED_MANAGED_POLICIES.get(part.kind()) + " may be attached");
            }
        }
        Map<String, Target> targets = targets(part);
        for (Map<String, Object> statement : statements(role.get())) {
            String sid = statement.containsKey("Sid") ? "statement " + statement.get("Sid") : "a statement";
            if (!"Allow".equals(string(statement.get("Effect")))) {
                continue; // denies only narrow what is allowed
            }
            if (statement.containsKey("NotAction") || statement.containsKey("NotResource")) {
                problems.add("role " + role.get() + " of " + part + ": " + sid + " uses NotAction/NotResource");
                continue;
            }
            List<String> actions = list(statement.get("Action")).stream().map(Template::string).toList();
            for (Object resource : list(statement.get("Resource"))) {
                String arn;
                try {
                    arn = stack.resolve(resource);
                } catch (FakeStack.Unresolvable e) {
                    problems.add("role " + role.get() + " of " + part + ": " + sid + " has a resource that cannot be"
                            + " evaluated: " + resource);
                    continue;
                }
                Target target = targets.get(arn);
                if (target == null) {
                    problems.add("role " + role.get() + " of " + part + ": " + sid + " grants " + actions + " on "
                            + resource + ", which is none of the resources " + part + " may use");
                    continue;
                }
                for (String action : actions) {
                    grants.add(new Grant(action, target));
                }
            }
        }
        return grants;
    }

    private String managedPolicyName(Object arn) {
        String resolved = stack.resolve(arn);
        int at = resolved.indexOf(":policy/");
        return at < 0 ? resolved : resolved.substring(at + ":policy/".length());
    }

    /**
     * Each part's role allows exactly the expected actions on exactly the expected resources: no wildcard actions,
     * {@code Resource: '*'} only for actions that cannot be scoped, nothing missing, nothing extra.
     */
    public List<String> checkPermissions(Part part, Map<Target, Set<String>> expected) {
        List<String> problems = new ArrayList<>();
        Set<Grant> grants = grants(part, problems);
        Set<Grant> wanted = new LinkedHashSet<>();
        expected.forEach((target, actions) -> actions.forEach(a -> wanted.add(new Grant(a, target))));
        for (Grant grant : grants) {
            if (grant.action() == null || grant.action().contains("*")) {
                problems.add(part + " is granted wildcard action " + grant.action() + " on " + grant.target());
            } else if (grant.target() == Target.ANY && !UNSCOPABLE_ACTIONS.contains(grant.action())) {
                problems.add(part + " is granted " + grant.action() + " on Resource '*'; scope it to the resource");
            } else if (!wanted.contains(grant)) {
                problems.add(part + " is granted " + grant.action() + " on " + grant.target() + ", which it does not need");
            }
        }
        for (Grant grant : wanted) {
            if (!grants.contains(grant)) {
                problems.add(part + " lacks " + grant.action() + " on " + grant.target());
            }
        }
        if (part.kind() == Part.Kind.ECS_SERVICE) {
            String execution = getAttTarget(template.properties(part.logicalId()).get("ExecutionRoleArn"), "Arn");
            if (execution == null || !"AWS::IAM::Role".equals(template.type(execution))) {
                problems.add(part + " needs an ExecutionRoleArn role of this template (image pull, logs)");
            } else {
                Map<String, Object> props = template.properties(execution);
                for (Object arn : list(props.get("ManagedPolicyArns"))) {
                    if (!ALLOWED_EXECUTION_ROLE_POLICIES.contains(managedPolicyName(arn))) {
                        problems.add("execution role " + execution + " attaches " + managedPolicyName(arn)
                                + "; only " + ALLOWED_EXECUTION_ROLE_POLICIES + " is needed");
                    }
                }
                if (!statements(execution).isEmpty()) {
                    problems.add("execution role " + execution + " has its own statements; the application's"
                            + " permissions belong on the task role");
                }
            }
        }
        return problems;
    }

    // ================================================================== worker service

    /** The worker's container definition (named {@value Part#WORKER_CONTAINER}, or the only one). */
    public Map<String, Object> workerContainer() {
        List<Object> containers = list(template.properties(Part.WORKER.logicalId()).get("ContainerDefinitions"));
        for (Object c : containers) {
            if (Part.WORKER_CONTAINER.equals(string(map(c).get("Name")))) {
                return map(c);
            }
        }
        return containers.size() == 1 ? map(containers.getFirst()) : Map.of();
    }

    /**
     * The worker runs on Fargate ARM64 as a service of two or more tasks with a rolling deployment guarded by the
     * circuit breaker, a container health check, a stop timeout to hand calls over, awslogs, no inbound traffic,
     * and target-tracking auto scaling with at least two tasks.
     */
    public List<String> checkWorkerService() {
        List<String> problems = new ArrayList<>();
        String taskDef = Part.WORKER.logicalId();
        Map<String, Object> task = template.properties(taskDef);
        if (!"ARM64".equals(string(at(task, "RuntimePlatform", "CpuArchitecture")))) {
            problems.add(taskDef + " must run on ARM64 (RuntimePlatform.CpuArchitecture)");
        }
        if (!list(task.get("RequiresCompatibilities")).contains("FARGATE") || !"awsvpc".equals(string(task.get("NetworkMode")))) {
            problems.add(taskDef + " must require FARGATE with NetworkMode awsvpc");
        }
        Map<String, Object> container = workerContainer();
        if (container.isEmpty()) {
            problems.add(taskDef + " has no container named " + Part.WORKER_CONTAINER);
            return problems;
        }
        String image = refTarget(container.get("Image"));
        if (image == null || !template.parameters().containsKey(image)) {
            problems.add(taskDef + " container Image must come from a parameter (!Ref <parameter>)");
        }
        String stop = string(container.get("StopTimeout"));
        if (stop == null || Integer.parseInt(stop) < 30 || Integer.parseInt(stop) > 120) {
            problems.add(taskDef + " container StopTimeout is " + stop + "; it needs 30..120 s (Fargate's maximum)"
                    + " to hand its calls to other workers after SIGTERM");
        }
        List<Object> healthCommand = list(at(container, "HealthCheck", "Command"));
        if (healthCommand.isEmpty()) {
            problems.add(taskDef + " container needs a HealthCheck that probes GET /health");
        }
        if (!"awslogs".equals(string(at(container, "LogConfiguration", "LogDriver")))) {
            problems.add(taskDef + " container must log with the awslogs driver");
        }
        List<String> services = template.resourcesOfType("AWS::ECS::Service").stream()
                .filter(s -> taskDef.equals(refTarget(template.properties(s).get("TaskDefinition")))).toList();
        if (services.size() != 1) {
            problems.add("exactly one AWS::ECS::Service must run " + taskDef + ", found " + services);
            return problems;
        }
        String service = services.getFirst();
        Map<String, Object> svc = template.properties(service);
        int desired = minimum(svc.get("DesiredCount"));
        if (desired < 2) {
            problems.add(service + " DesiredCount can be " + desired + "; at least two tasks keep taking calls"
                    + " when one dies");
        }
        Map<String, Object> breaker = map(at(svc, "DeploymentConfiguration", "DeploymentCircuitBreaker"));
        if (!Boolean.TRUE.equals(breaker.get("Enable")) || !Boolean.TRUE.equals(breaker.get("Rollback"))) {
            problems.add(service + " needs DeploymentConfiguration.DeploymentCircuitBreaker with Enable and Rollback true");
        }
        Map<String, Object> network = map(at(svc, "NetworkConfiguration", "AwsvpcConfiguration"));
        if (network.get("Subnets") == null || list(network.get("SecurityGroups")).isEmpty()) {
            problems.add(service + " needs AwsvpcConfiguration Subnets and SecurityGroups");
        }
        for (Object sg : list(network.get("SecurityGroups"))) {
            String group = sg instanceof Map<?, ?> ? Optional.ofNullable(getAttTarget(sg, "GroupId")).orElse(refTarget(sg)) : null;
            if (group == null || !"AWS::EC2::SecurityGroup".equals(template.type(group))) {
                problems.add(service + " security group " + sg + " is not one of this template's");
                continue;
            }
            boolean inbound = template.properties(group).containsKey("SecurityGroupIngress")
                    || template.resourcesOfType("AWS::EC2::SecurityGroupIngress").stream().anyMatch(i -> {
                        Object ref = template.properties(i).get("GroupId");
                        return group.equals(getAttTarget(ref, "GroupId")) || group.equals(refTarget(ref));
                    });
            if (inbound) {
                problems.add("security group " + group + " of the worker allows inbound traffic; the worker needs none");
            }
            if (list(template.properties(group).get("SecurityGroupEgress")).isEmpty()) {
                problems.add("security group " + group + " needs explicit egress rules (otherwise all egress is open)");
            }
        }
        List<String> targets = template.resourcesOfType("AWS::ApplicationAutoScaling::ScalableTarget").stream()
                .filter(t -> {
                    String resourceId = stack.resolve(template.properties(t).get("ResourceId"));
                    return resourceId != null && resourceId.endsWith("/" + FakeStack.physical(service));
                }).toList();
        if (targets.size() != 1) {
            problems.add("exactly one ScalableTarget must scale " + service + " (ResourceId service/<cluster>/<service>)");
        } else {
            String scalable = targets.getFirst();
            if (minimum(template.properties(scalable).get("MinCapacity")) < 2) {
                problems.add(scalable + " MinCapacity can go below 2");
            }
            boolean tracking = template.resourcesOfType("AWS::ApplicationAutoScaling::ScalingPolicy").stream()
                    .anyMatch(p -> scalable.equals(refTarget(template.properties(p).get("ScalingTargetId")))
                            && "TargetTrackingScaling".equals(string(template.properties(p).get("PolicyType"))));
            if (!tracking) {
                problems.add(scalable + " has no TargetTrackingScaling policy");
            }
        }
        return problems;
    }

    /** The smallest value a number can take: its literal, or for a parameter its MinValue (else its default). */
    private int minimum(Object value) {
        String param = refTarget(value);
        if (param != null && template.parameters().containsKey(param)) {
            Map<String, Object> p = map(template.parameters().get(param));
            String min = string(p.get("MinValue"));
            return Integer.parseInt(min != null ? min : String.valueOf(p.get("Default")));
        }
        String literal = string(value);
        return literal == null ? 0 : Integer.parseInt(literal);
    }

    // ================================================================== re-reading the secret

    /**
     * Changing the {@code revisionParameter} restarts every part, so new secret values are read: each function
     * publishes a new version (its Description uses the parameter and AutoPublishAliasAllProperties is on, since
     * SnapStart snapshots hold the values read at init) and the worker's task definition changes (a Docker label).
     */
    public List<String> checkConfigRevision(String revisionParameter) {
        List<String> problems = new ArrayList<>();
        if (!template.parameters().containsKey(revisionParameter)) {
            return List.of("the template has no parameter " + revisionParameter);
        }
        String sub = "${" + revisionParameter + "}";
        for (Part part : Part.values()) {
            Map<String, Object> props = template.properties(part.logicalId());
            if (part.kind() == Part.Kind.LAMBDA) {
                Object description = props.get("Description");
                boolean uses = revisionParameter.equals(refTarget(description))
                        || String.valueOf(map(description).get("Fn::Sub")).contains(sub);
                if (!uses || !Boolean.TRUE.equals(props.get("AutoPublishAliasAllProperties"))) {
                    problems.add(part.logicalId() + " must publish a new version when " + revisionParameter
                            + " changes (Description using it, AutoPublishAliasAllProperties: true)");
                }
            } else {
                boolean labelled = map(workerContainer().get("DockerLabels")).values().stream()
                        .anyMatch(v -> revisionParameter.equals(refTarget(v)));
                if (!labelled) {
                    problems.add(part.logicalId() + " must change when " + revisionParameter
                            + " changes (a container DockerLabels value !Ref " + revisionParameter + ")");
                }
            }
        }
        return problems;
    }

    // ================================================================== alarms and outputs

    /** Every alarm notifies someone; the webhook and the worker are watched. */
    public List<String> checkAlarms() {
        List<String> problems = new ArrayList<>();
        List<String> alarms = template.resourcesOfType("AWS::CloudWatch::Alarm");
        for (String alarm : alarms) {
            if (list(template.properties(alarm).get("AlarmActions")).isEmpty()) {
                problems.add("alarm " + alarm + " has no AlarmActions");
            }
        }
        boolean webhookWatched = alarms.stream().anyMatch(a -> {
            Map<String, Object> p = template.properties(a);
            return "AWS/Lambda".equals(string(p.get("Namespace")))
                    && list(p.get("Dimensions")).stream().anyMatch(d -> Part.WEBHOOK.logicalId().equals(refTarget(map(d).get("Value"))));
        });
        if (!webhookWatched) {
            problems.add("no alarm watches the AWS/Lambda metrics of " + Part.WEBHOOK.logicalId());
        }
        boolean workerWatched = alarms.stream().anyMatch(a -> {
            String text = String.valueOf(template.properties(a));
            return text.contains("ECS/ContainerInsights") || text.contains("AWS/ECS");
        });
        if (!workerWatched) {
            problems.add("no alarm watches the worker service (ECS/ContainerInsights or AWS/ECS metrics)");
        }
        return problems;
    }

    /** WebhookUrl is the https URL of the webhook route; ControlApiBaseUrl is the API's https base URL. */
    public List<String> checkOutputs(String webhookRoutePath) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> outputs = template.section("Outputs");
        String api = template.resourcesOfType("AWS::Serverless::HttpApi").stream().findFirst().orElse("HttpApi");
        String base = "https://" + stack.resolve(Map.of("Ref", api)) + ".execute-api." + FakeStack.REGION + ".amazonaws.com";
        Map<String, String> wanted = Map.of("WebhookUrl", base + webhookRoutePath, "ControlApiBaseUrl", base);
        wanted.forEach((name, url) -> {
            Object value = at(outputs, name, "Value");
            String actual;
            try {
                actual = value == null ? null : stack.resolve(value);
            } catch (FakeStack.Unresolvable e) {
                actual = "unresolvable " + value;
            }
            if (!url.equals(actual)) {
                problems.add("output " + name + " evaluates to " + actual + ", expected " + url);
            }
        });
        return problems;
    }

    // ================================================================== metrics: dashboards and alarms

    /** The dimension every emitted metric carries, naming the part. */
    static final String SERVICE_DIMENSION = "Service";
    private static final java.util.regex.Pattern SEARCH = java.util.regex.Pattern.compile(
            "SEARCH\\(\\s*'\\{([^}]*)\\}([^']*)'");
    private static final java.util.regex.Pattern SEARCH_TERM = java.util.regex.Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /**
     * Every metric in {@code namespace} that a dashboard widget or an alarm names is one the code emits, under a
     * dimension set it is emitted with and the {@code Service} value of the part that emits it (a metric math
     * {@code SEARCH} names its schema and {@code MetricName}); every emitted metric is on a dashboard; each of
     * {@code alarmed} has an alarm. Other namespaces must be AWS's own ({@code AWS/…}, {@code ECS/…}).
     */
    public List<String> checkMetrics(String namespace, List<EmittedMetric> emitted, List<String> alarmed) {
        List<String> problems = new ArrayList<>();
        Map<String, EmittedMetric> byName = new LinkedHashMap<>();
        emitted.forEach(m -> byName.put(m.name(), m));
        Set<String> charted = new TreeSet<>();
        Set<String> alarms = new TreeSet<>();
        List<String> dashboards = template.resourcesOfType("AWS::CloudWatch::Dashboard");
        if (dashboards.isEmpty()) {
            problems.add("no AWS::CloudWatch::Dashboard shows the metrics in " + namespace);
        }
        for (String dashboard : dashboards) {
            Map<String, Object> body;
            try {
                body = map(new org.yaml.snakeyaml.Yaml().load(stack.resolve(template.properties(dashboard).get("DashboardBody"))));
            } catch (RuntimeException e) {
                problems.add("dashboard " + dashboard + " has a DashboardBody that is not JSON: " + e.getMessage());
                continue;
            }
            int index = 0;
            for (Object widget : list(body.get("widgets"))) {
                String where = "dashboard " + dashboard + " widget " + index++ + " ("
                        + string(at(widget, "properties", "title")) + ")";
                List<Object> previous = List.of();
                for (Object row : list(at(widget, "properties", "metrics"))) {
                    List<Object> items = new ArrayList<>(list(row));
                    for (int i = 0; i < items.size() && i < previous.size(); i++) {
                        if (".".equals(items.get(i))) {
                            items.set(i, previous.get(i)); // the dashboard shorthand: as the row above
                        }
                    }
                    previous = items;
                    checkChartRow(where, items, namespace, byName, charted, problems);
                }
            }
        }
        for (String alarm : template.resourcesOfType("AWS::CloudWatch::Alarm")) {
            Map<String, Object> p = template.properties(alarm);
            List<Map<String, Object>> metrics = new ArrayList<>();
            if (p.get("MetricName") != null) {
                metrics.add(p);
            }
            for (Object query : list(p.get("Metrics"))) {
                Object metric = at(query, "MetricStat", "Metric");
                if (metric != null) {
                    metrics.add(map(metric));
                }
                String expression = string(map(query).get("Expression"));
                if (expression != null) {
                    checkSearches("alarm " + alarm, expression, namespace, byName, alarms, problems);
                }
            }
            for (Map<String, Object> metric : metrics) {
                String ns = string(metric.get("Namespace"));
                String name = string(metric.get("MetricName"));
                Map<String, String> dims = new LinkedHashMap<>();
                for (Object d : list(metric.get("Dimensions"))) {
                    dims.put(string(map(d).get("Name")), String.valueOf(stack.resolve(map(d).get("Value"))));
                }
                checkMetric("alarm " + alarm, ns, name, dims, namespace, byName, alarms, problems);
            }
        }
        for (String name : byName.keySet()) {
            if (!charted.contains(name)) {
                problems.add("metric " + name + " is emitted but no dashboard widget shows it");
            }
        }
        for (String name : alarmed) {
            if (!alarms.contains(name)) {
                problems.add("no alarm watches " + namespace + " metric " + name);
            }
        }
        return problems;
    }

    private void checkChartRow(String where, List<Object> items, String namespace, Map<String, EmittedMetric> byName,
                               Set<String> seen, List<String> problems) {
        if (!items.isEmpty() && items.getFirst() instanceof Map<?, ?> options) {
            String expression = string(options.get("expression"));
            if (expression == null) {
                problems.add(where + " has a row that is neither a metric nor an expression: " + items);
            } else {
                checkSearches(where, expression, namespace, byName, seen, problems);
            }
            return;
        }
        List<String> parts = items.stream().filter(i -> !(i instanceof Map)).map(String::valueOf).toList();
        if (parts.size() < 2 || parts.size() % 2 != 0) {
            problems.add(where + " has a malformed metric row " + items);
            return;
        }
        Map<String, String> dims = new LinkedHashMap<>();
        for (int i = 2; i + 1 < parts.size(); i += 2) {
            dims.put(parts.get(i), parts.get(i + 1));
        }
        checkMetric(where, parts.get(0), parts.get(1), dims, namespace, byName, seen, problems);
    }

    /** Each {@code SEARCH('{Namespace,Dim,…} MetricName="…" Dim="…"', …)} in an expression. */
    private void checkSearches(String where, String expression, String namespace, Map<String, EmittedMetric> byName,
                               Set<String> seen, List<String> problems) {
        java.util.regex.Matcher search = SEARCH.matcher(expression);
        while (search.find()) {
            List<String> schema = java.util.Arrays.stream(search.group(1).split(",")).map(String::strip).toList();
            Map<String, String> terms = new LinkedHashMap<>();
            java.util.regex.Matcher term = SEARCH_TERM.matcher(search.group(2));
            while (term.find()) {
                terms.put(term.group(1), term.group(2));
            }
            String name = terms.get("MetricName");
            if (name == null) {
                problems.add(where + " searches " + search.group(0) + " without naming a MetricName");
                continue;
            }
            Map<String, String> dims = new LinkedHashMap<>();
            schema.stream().skip(1).forEach(d -> dims.put(d, terms.get(d)));
            checkMetric(where, schema.getFirst(), name, dims, namespace, byName, seen, problems);
        }
    }

    /** {@code dims} values may be null (a search over every value of that dimension). */
    private static void checkMetric(String where, String ns, String name, Map<String, String> dims, String namespace,
                                    Map<String, EmittedMetric> byName, Set<String> seen, List<String> problems) {
        if (ns == null || ns.startsWith("AWS/") || ns.startsWith("ECS/")) {
            return;
        }
        if (!namespace.equals(ns)) {
            problems.add(where + " names namespace " + ns + ", which nothing emits (the code's is " + namespace + ")");
            return;
        }
        EmittedMetric metric = byName.get(name);
        if (metric == null) {
            problems.add(where + " names metric " + name + ", which the code does not emit");
            return;
        }
        seen.add(name);
        if (metric.dimensionSets().stream().noneMatch(set -> Set.copyOf(set).equals(dims.keySet()))) {
            problems.add(where + " names " + name + " with dimensions " + dims.keySet()
                    + ", but it is emitted only with " + metric.dimensionSets());
        }
        String service = dims.get(SERVICE_DIMENSION);
        if (dims.containsKey(SERVICE_DIMENSION) && service != null && !metric.service().equals(service)) {
            problems.add(where + " names " + name + " with Service=" + service + ", but " + metric.service()
                    + " emits it");
        }
    }
}
