package ai.phoneagent.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.cloudwatchlogs.emf.config.EnvironmentConfigurationProvider;
import software.amazon.cloudwatchlogs.emf.environment.Environments;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsBuilder;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * The Lambdas' recorder: Powertools for AWS Lambda metrics (functional API), which prints EMF to standard output
 * where Lambda's log capture hands it to CloudWatch. Each measurement is flushed at once in its own metrics context
 * ({@link Metrics#flushMetrics}) with the same namespace and dimension sets as {@link EmfWriter}'s, so a dashboard
 * cannot tell the two apart. Only the parts that declare {@code powertools-metrics} (the Lambdas) load this class.
 */
public final class PowertoolsRecorder implements MetricRecorder {
    private final Metrics metrics;

    private PowertoolsRecorder(Metrics metrics) {
        this.metrics = metrics;
    }

    /**
     * The recorder for this process. Outside Lambda (tests, the bench) the EMF library's environment detection is
     * told "Lambda" unless {@code AWS_EMF_ENVIRONMENT} says otherwise: standard output, no agent, no metadata probes.
     */
    public static PowertoolsRecorder create() {
        if (System.getenv("AWS_EMF_ENVIRONMENT") == null) {
            EnvironmentConfigurationProvider.getConfig().setEnvironmentOverride(Environments.Lambda);
        }
        Metrics metrics = MetricsBuilder.builder()
                .withNamespace(Metric.NAMESPACE)
                .withRaiseOnEmptyMetrics(false)
                .build();
        PowertoolsRecorder recorder = new PowertoolsRecorder(metrics);
        recorder.prime();
        return recorder;
    }

    /**
     * Loads and runs the whole EMF path once with its output discarded, at initialisation (so before a SnapStart
     * snapshot, and never on a caller's first request). Standard output is swapped only for these few lines:
     * Lambda initialises one handler at a time and nothing else writes yet.
     */
    private void prime() {
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            Measurement sample = Measurement.of(Metric.COMMAND_LATENCY, 1)
                    .with(Dimension.COMMAND_TYPE, "prime").with(Dimension.OUTCOME, "prime").property("call_id", "prime");
            for (int i = 0; i < 20; i++) {
                record(sample);
            }
        } finally {
            System.setOut(stdout);
        }
    }

    @Override
    public void record(List<Measurement> measurements) {
        for (Measurement m : measurements) {
            if (m.problem() != null) {
                continue; // the same rule as EmfWriter: never emit what the template checks do not know
            }
            try {
                metrics.flushMetrics(context -> fill(context, m));
            } catch (RuntimeException e) {
                // a metric must never fail a webhook or a command
                ai.phoneagent.logging.JsonLog.forComponent("metrics").warn("metrics not written",
                        Map.of("error", ai.phoneagent.logging.JsonLog.describe(e)));
            }
        }
    }

    private static void fill(Metrics context, Measurement m) {
        context.clearDefaultDimensions();
        String service = m.metric().source().value();
        context.addDimension(DimensionSet.of(Dimension.SERVICE, service));
        if (!m.dimensions().isEmpty()) {
            Map<String, String> full = new LinkedHashMap<>();
            full.put(Dimension.SERVICE, service);
            m.dimensions().forEach((d, v) -> full.put(d.key(), v));
            context.addDimension(DimensionSet.of(full));
        }
        context.addMetric(m.metric().metricName(), m.value(), unit(m.metric().unit()));
        m.properties().forEach(context::addMetadata);
    }

    private static MetricUnit unit(Metric.Unit unit) {
        return switch (unit) {
            case COUNT -> MetricUnit.COUNT;
            case MILLISECONDS -> MetricUnit.MILLISECONDS;
        };
    }
}
