package ai.phoneagent.templatechecks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code validator/validate.mjs} (@aws/cloudformation-validate: cfn-lint rules and resource schemas, plus this
 * project's Rego rules for AWS::Serverless::*) on {@code template.yaml}, and on broken copies to prove the rules fire.
 * Needs Node 20+ and npm; installs the validator's pinned package on first use.
 */
class ValidatorTest {
    private static final long INSTALL_TIMEOUT_S = 300;
    private static final long VALIDATE_TIMEOUT_S = 120;
    private static Path validator;

    record Result(int exit, String output) {
    }

    @BeforeAll
    static void install() throws Exception {
        validator = CodeFacts.repoRoot().resolve("infra/template-checks/validator");
        Result node = run(List.of("node", "--version"), 30);
        assertThat(node.exit()).as("Node.js 20+ must be on PATH to validate template.yaml: %s", node.output()).isZero();
        if (!Files.isDirectory(validator.resolve("node_modules/@aws/cloudformation-validate"))) {
            Result npm = run(List.of("npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"),
                    INSTALL_TIMEOUT_S);
            assertThat(npm.exit()).as("npm install in %s failed:%n%s", validator, npm.output()).isZero();
        }
    }

    static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(validator.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        // read on another thread so a chatty process cannot block on a full pipe before the timeout
        var output = new java.io.ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = process.getInputStream()) {
                in.transferTo(output);
            } catch (IOException ignored) {
                // process killed
            }
        });
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        reader.join(5_000);
        return new Result(process.exitValue(), output.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theTemplatePassesWithNoErrorOrWarning() throws Exception {
        Result result = run(List.of("node", "validate.mjs", CodeFacts.templateFile().toString()), VALIDATE_TIMEOUT_S);
        System.out.println(result.output());
        assertThat(result.exit()).as("validate.mjs template.yaml reported:%n%s", result.output()).isZero();
        assertThat(result.output()).contains(": OK - 0 error/warning finding(s)");
    }

    /** A broken copy of the template and the rule ids it must trip. */
    record Breakage(String name, UnaryOperator<String> change, Set<String> expectedRules) {
    }

    private static UnaryOperator<String> replaceFirst(String from, String to) {
        return text -> {
            assertThat(text).as("template.yaml no longer contains %s", from).contains(from);
            int at = text.indexOf(from);
            return text.substring(0, at) + to + text.substring(at + from.length());
        };
    }

    private static UnaryOperator<String> replaceAll(String from, String to) {
        return text -> {
            assertThat(text).as("template.yaml no longer contains %s", from).contains(from);
            return text.replace(from, to);
        };
    }

    static final List<Breakage> BREAKAGES = List.of(
            new Breakage("misspelt-function-property", replaceFirst("      MemorySize: 1024\n", "      MemorySise: 1024\n"),
                    Set.of("PA1001")),
            new Breakage("misspelt-http-api-property", replaceFirst("FailOnWarnings: true", "FailOnWarning: true"),
                    Set.of("PA1002")),
            new Breakage("wrong-runtime", replaceFirst("Runtime: java25", "Runtime: java21"), Set.of("PA1003")),
            new Breakage("x86-architecture", replaceFirst("Architectures: [arm64]", "Architectures: [x86_64]"),
                    Set.of("PA1004")),
            new Breakage("missing-snapstart", replaceFirst("      SnapStart:\n        ApplyOn: PublishedVersions\n", ""),
                    Set.of("PA1005")),
            new Breakage("missing-alias", replaceFirst("      AutoPublishAlias: live\n", ""), Set.of("PA1006")),
            new Breakage("misspelt-event-property", replaceFirst("            Path: /openai/webhook\n",
                    "            Pathh: /openai/webhook\n"), Set.of("PA1007")),
            new Breakage("payload-format-1", replaceFirst("PayloadFormatVersion: '2.0'", "PayloadFormatVersion: '1.0'"),
                    Set.of("PA1008")),
            new Breakage("event-without-api", replaceFirst("            ApiId: !Ref HttpApi\n", ""), Set.of("PA1009")),
            // the bundled cfn-lint rules and schemas still guard the plain CloudFormation resources
            new Breakage("misspelt-queue-property", replaceFirst("VisibilityTimeout: 30", "VisibilityTimout: 30"),
                    Set.of("F3002")),
            new Breakage("invalid-fargate-size", replaceAll("'8192', '2048'", "'8192', '16384'"), Set.of("E3047")));

    @Test
    void brokenCopiesTripTheRulesThatGuardThem(@TempDir Path dir) throws Exception {
        String text = Files.readString(CodeFacts.templateFile());
        Map<String, Breakage> byFile = new LinkedHashMap<>();
        List<String> command = new ArrayList<>(List.of("node", "validate.mjs", "--json"));
        for (Breakage breakage : BREAKAGES) {
            Path file = dir.resolve(breakage.name() + ".yaml");
            String broken = breakage.change().apply(text);
            assertThat(broken).as(breakage.name()).isNotEqualTo(text);
            Files.writeString(file, broken);
            byFile.put(file.toString(), breakage);
            command.add(file.toString());
        }
        Result result = run(command, VALIDATE_TIMEOUT_S);
        assertThat(result.exit()).as("validate.mjs must fail on broken templates:%n%s", result.output()).isEqualTo(1);
        ObjectMapper json = new ObjectMapper();
        Map<String, Set<String>> fired = new HashMap<>();
        Map<String, List<String>> messages = new HashMap<>();
        for (String line : result.output().lines().filter(l -> l.startsWith("{")).toList()) {
            JsonNode report = json.readTree(line);
            Set<String> rules = new TreeSet<>();
            List<String> texts = new ArrayList<>();
            for (JsonNode finding : report.path("findings")) {
                if (!finding.path("severity").asText().equals("INFO")) {
                    rules.add(finding.path("ruleId").asText());
                    texts.add(finding.path("ruleId").asText() + " " + finding.path("message").asText());
                }
            }
            fired.put(report.path("file").asText(), rules);
            messages.put(report.path("file").asText(), texts);
        }
        byFile.forEach((file, breakage) -> {
            assertThat(fired).as("no report for %s in:%n%s", breakage.name(), result.output()).containsKey(file);
            assertThat(fired.get(file)).as("%s: %s", breakage.name(), messages.get(file))
                    .containsAll(breakage.expectedRules());
            assertThat(fired.get(file)).as("%s trips only what it breaks: %s", breakage.name(), messages.get(file))
                    .isEqualTo(breakage.expectedRules());
        });
        assertThat(messages.get(dir.resolve("wrong-runtime.yaml").toString()))
                .anySatisfy(m -> assertThat(m).contains("must use Runtime java25, not java21"));
        assertThat(messages.get(dir.resolve("misspelt-function-property.yaml").toString()))
                .anySatisfy(m -> assertThat(m).contains("has unknown property 'MemorySise'"));
    }
}
