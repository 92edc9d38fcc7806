package ai.phoneagent.templatechecks;

import java.util.List;

/**
 * A metric the code emits, as the template checks need it: its CloudWatch name, the value of its {@code Service}
 * dimension, and the dimension sets it is emitted under (each includes {@code Service}).
 */
public record EmittedMetric(String name, String service, List<List<String>> dimensionSets) {
    public EmittedMetric {
        dimensionSets = dimensionSets.stream().map(List::copyOf).toList();
    }
}
