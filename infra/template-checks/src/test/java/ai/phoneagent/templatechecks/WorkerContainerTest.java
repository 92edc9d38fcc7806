package ai.phoneagent.templatechecks;

import static ai.phoneagent.templatechecks.Template.at;
import static ai.phoneagent.templatechecks.Template.list;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The worker image (no container engine here): the Dockerfile's essentials, and its health probe against a real socket. */
class WorkerContainerTest {
    private static Path dir;
    private static String dockerfile;

    @BeforeAll
    static void read() throws IOException {
        dir = CodeFacts.repoRoot().resolve("infra/worker-container");
        dockerfile = Files.readString(dir.resolve("Dockerfile")).replace("\\\n", " ");
    }

    private static List<String> instructions(String keyword) {
        return dockerfile.lines().map(String::strip).filter(l -> l.startsWith(keyword + " ")).toList();
    }

    @Test
    void multiStageBuildOnAJava25JdkIntoAJava25Jre() {
        List<String> from = instructions("FROM");
        assertThat(from).hasSize(2);
        assertThat(from.getFirst()).contains("${JDK_IMAGE}").contains("AS build").contains("--platform=$BUILDPLATFORM");
        assertThat(from.getLast()).isEqualTo("FROM ${JRE_IMAGE}");
        assertThat(dockerfile).contains("ARG JDK_IMAGE=eclipse-temurin:25-jdk", "ARG JRE_IMAGE=eclipse-temurin:25-jre");
        assertThat(dockerfile).contains("./mvnw").contains("-pl session-worker,infra/bench -am package");
        assertThat(instructions("COPY")).anySatisfy(c -> assertThat(c)
                .isEqualTo("COPY --from=build /src/" + Part.WORKER.artifact() + " /app/session-worker.jar"));
    }

    @Test
    void theWorkerStartsFromAnAotCacheTrainedAtImageBuildOnItsOwnJarPathWithItsOwnJvmOptions() throws IOException {
        assertThat(dockerfile.replaceAll("\\s+", " ")).contains("--train-worker-aot /app/worker.aot"
                + " --worker-jar /app/session-worker.jar --worker-jvm-options /app/worker-jvm.options");
        assertThat(instructions("COPY")).contains("COPY infra/worker-container/worker-jvm.options /app/worker-jvm.options");
        String json = instructions("ENTRYPOINT").getFirst().substring("ENTRYPOINT ".length()).strip();
        assertThat(List.of(new ObjectMapper().readValue(json, String[].class)))
                .contains("@/app/worker-jvm.options", "-XX:AOTCache=/app/worker.aot");
    }

    @Test
    void theWorkerJvmOptionsFileIsOneTheLauncherTakesWithG1AndItsCompilerChoice() throws Exception {
        Path options = dir.resolve("worker-jvm.options");
        List<String> lines = Files.readString(options).lines().map(String::strip).toList();
        assertThat(lines).contains("-XX:+UseG1GC"); // the collector the AOT cache is trained with
        // C1 only today (infra/bench/README.md, "The worker's compiler"); without the line, C2 (level 4)
        String level = lines.stream().filter(l -> l.startsWith("-XX:TieredStopAtLevel="))
                .map(l -> l.substring("-XX:TieredStopAtLevel=".length())).findFirst().orElse("4");
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + options, "-XX:+PrintFlagsFinal", "-version").redirectErrorStream(true).start();
        String flags = new String(java.getInputStream().readAllBytes());
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(flags).isZero();
        assertThat(flags).containsPattern("bool UseG1GC\\s+= true")
                .containsPattern("intx TieredStopAtLevel\\s+= " + level + " ");
    }

    @Test
    void runsAsANonRootUser() {
        List<String> users = instructions("USER");
        assertThat(users).isNotEmpty();
        assertThat(users.getLast()).doesNotContain("root").isNotEqualTo("USER 0").isNotEqualTo("USER 0:0");
    }

    @Test
    void theJvmIsPid1WithContainerAwareMemory() throws IOException {
        List<String> entrypoints = instructions("ENTRYPOINT");
        assertThat(entrypoints).hasSize(1);
        String json = entrypoints.getFirst().substring("ENTRYPOINT ".length()).strip();
        List<String> args = List.of(new ObjectMapper().readValue(json, String[].class)); // exec form: a JSON array, no shell in between
        assertThat(args.getFirst()).isEqualTo("java");
        assertThat(args).contains("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");
        assertThat(args.subList(args.size() - 2, args.size())).containsExactly("-jar", "/app/session-worker.jar");
        assertThat(instructions("STOPSIGNAL")).containsExactly("STOPSIGNAL SIGTERM");
    }

    @Test
    void theImageAndTheTaskDefinitionProbeHealthWithTheSameScript() throws IOException {
        assertThat(instructions("HEALTHCHECK")).singleElement().asString().contains("CMD [\"/app/healthcheck.sh\"]");
        assertThat(instructions("COPY")).contains("COPY --chmod=0555 infra/worker-container/healthcheck.sh /app/healthcheck.sh");
        Template template = Template.load(CodeFacts.templateFile());
        Object command = at(new TemplateChecks(template).workerContainer(), "HealthCheck", "Command");
        assertThat(list(command)).containsExactly("CMD", "/app/healthcheck.sh");
    }

    @Test
    void theHealthProbeAcceptsOnly200() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        int[] status = {200};
        server.createContext("/health", exchange -> {
            byte[] body = "{\"status\":\"ok\"}".getBytes();
            exchange.sendResponseHeaders(status[0], body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            assertThat(probe(port)).as("200 is healthy").isZero();
            status[0] = 503;
            assertThat(probe(port)).as("503 (draining) is unhealthy").isEqualTo(1);
        } finally {
            server.stop(0);
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        assertThat(probe(closed)).as("nothing listening is unhealthy").isEqualTo(1);
    }

    private static int probe(int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", dir.resolve("healthcheck.sh").toString()).redirectErrorStream(true);
        builder.environment().put("HEALTH_PORT", Integer.toString(port));
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("healthcheck.sh did not finish");
        }
        return process.exitValue();
    }

    @Test
    void theBuildContextKeepsEveryModulePomButNotBuildOutput() throws IOException {
        String ignore = Files.readString(CodeFacts.repoRoot().resolve(".dockerignore"));
        assertThat(ignore.lines()).contains("**/target", "**/node_modules", ".git");
        Matcher poms = Pattern.compile("(?m)^[^#\\s].*pom").matcher(ignore);
        assertThat(poms.find()).as(".dockerignore must not drop module poms").isFalse();
    }
}
