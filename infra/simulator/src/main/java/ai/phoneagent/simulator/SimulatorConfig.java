package ai.phoneagent.simulator;

import ai.phoneagent.simulator.scenario.Scenario;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the connector simulator. {@code port} 0 means an ephemeral port; {@code allowUnknownCalls}
 * lets any call id be accepted and attached (otherwise only registered ones); {@code awaitTimeout} is the
 * default of scenario {@code await} steps. The API key never appears in {@link #toString()}.
 */
public record SimulatorConfig(String apiKey, int port, boolean allowUnknownCalls, boolean validateAcceptBodies,
                              Scenario defaultScenario, Duration awaitTimeout, String model, Clock clock) {
    /** The key tests use unless they choose one. */
    public static final String DEFAULT_API_KEY = "sk-simulator-test-key";

    public SimulatorConfig {
        Objects.requireNonNull(apiKey, "apiKey");
        if (apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey is blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        Objects.requireNonNull(defaultScenario, "defaultScenario");
        Objects.requireNonNull(awaitTimeout, "awaitTimeout");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(clock, "clock");
    }

    /** Defaults: test key, ephemeral port, any call id allowed, accept bodies validated, the bundled default scenario. */
    public static SimulatorConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "SimulatorConfig[apiKey=<redacted>, port=" + port + ", allowUnknownCalls=" + allowUnknownCalls
                + ", validateAcceptBodies=" + validateAcceptBodies + ", defaultScenario=" + defaultScenario.name()
                + ", awaitTimeout=" + awaitTimeout + ", model=" + model + "]";
    }

    /** Builder for {@link SimulatorConfig}. */
    public static final class Builder {
        private String apiKey = DEFAULT_API_KEY;
        private int port;
        private boolean allowUnknownCalls = true;
        private boolean validateAcceptBodies = true;
        private Scenario defaultScenario;
        private Duration awaitTimeout = Duration.ofSeconds(10);
        private String model = "gpt-realtime";
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder allowUnknownCalls(boolean allow) {
            this.allowUnknownCalls = allow;
            return this;
        }

        public Builder validateAcceptBodies(boolean validate) {
            this.validateAcceptBodies = validate;
            return this;
        }

        public Builder defaultScenario(Scenario scenario) {
            this.defaultScenario = scenario;
            return this;
        }

        public Builder awaitTimeout(Duration timeout) {
            this.awaitTimeout = timeout;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public SimulatorConfig build() {
            return new SimulatorConfig(apiKey, port, allowUnknownCalls, validateAcceptBodies,
                    defaultScenario == null ? Scenario.load("default") : defaultScenario,
                    awaitTimeout, model, clock);
        }
    }
}
