package ai.phoneagent.templatechecks;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.localaws.LocalResources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code template.yaml} as it is, held against the code on the test classpath. */
class TemplateMatchesCodeTest {
    private static TemplateChecks checks;

    @BeforeAll
    static void load() throws IOException {
        checks = new TemplateChecks(Template.load(CodeFacts.templateFile()));
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void everyEntryPointNamedExistsAndHasTheRightShape(Part part) {
        assertThat(checks.checkEntryPoint(part, CodeFacts.load(part.entryClass())))
                .as("entry point of %s", part).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void everyPartRunsItsReactorBuiltJar(Part part) {
        assertThat(checks.checkArtifact(part, CodeFacts.repoRoot())).as("artifact of %s", part).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void everyVariableAPartReadsIsSetProvidedOrDeliberatelyLeftUnset(Part part, @TempDir Path scratch) throws IOException {
        Set<String> namesRead = CodeFacts.namesRead(part, checks, scratch);
        System.out.println(part + " reads " + namesRead);
        assertThat(namesRead).as("names %s reads", part).isNotEmpty();
        assertThat(checks.checkEnvironment(part, namesRead)).as("environment of %s", part).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Part.class, names = {"WEBHOOK", "CONTROL"})
    void everyRouteAHandlerServesIsRoutedToIt(Part part) {
        CodeFacts.Routes routes = CodeFacts.routes(part);
        System.out.println(part + " routes from " + routes.source() + ": " + routes.routes());
        assertThat(routes.routes()).as("routes of %s (from %s)", part, routes.source()).isNotEmpty();
        assertThat(checks.checkRoutes(part, routes.routes())).as("routes of %s (from %s)", part, routes.source()).isEmpty();
    }

    @Test
    void bothLambdasRunWithTheOneSetOfJvmOptionsTheBenchMeasures() {
        assertThat(checks.checkLambdaJvmOptions()).isEmpty();
        assertThat(checks.resolvedEnvironment(Part.WEBHOOK).get(TemplateChecks.JVM_OPTIONS))
                .isEqualTo("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    }

    @Test
    void theCallsTableIsTheTableTheCodeDeclares() {
        assertThat(checks.checkTable(CodeFacts.tableSpec())).isEmpty();
    }

    @Test
    void theCallsQueueRedrivesToAWatchedDeadLetterQueue() {
        assertThat(checks.checkCallsQueue(LocalResources.MAX_RECEIVES)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void everyRoleAllowsWhatItsPartCallsAndNothingMore(Part part) {
        assertThat(checks.checkPermissions(part, Expectations.PERMISSIONS.get(part))).as("IAM of %s", part).isEmpty();
    }

    @Test
    void theWorkerIsAHealthCheckedScaledFargateServiceOfTwoOrMoreTasks() {
        assertThat(checks.checkWorkerService()).isEmpty();
    }

    @Test
    void aNewConfigRevisionRestartsEveryPartSoItRereadsTheSecret() {
        assertThat(checks.checkConfigRevision("ConfigRevision")).isEmpty();
    }

    @Test
    void alarmsNotifyAndWatchTheWebhookAndTheWorker() {
        assertThat(checks.checkAlarms()).isEmpty();
    }

    @Test
    void everyMetricTheDashboardOrAnAlarmNamesIsOneTheCodeEmitsAndEveryEmittedOneIsCharted() {
        assertThat(checks.checkMetrics(ai.phoneagent.metrics.Metric.NAMESPACE, CodeFacts.emittedMetrics(),
                CodeFacts.ALARMED_METRICS)).isEmpty();
    }

    @Test
    void outputsGiveTheWebhookUrlAndTheControlApiBaseUrl() {
        List<String> webhookRoutes = CodeFacts.routes(Part.WEBHOOK).routes();
        String path = webhookRoutes.getFirst().split(" ", 2)[1];
        assertThat(checks.checkOutputs(path)).isEmpty();
    }
}
