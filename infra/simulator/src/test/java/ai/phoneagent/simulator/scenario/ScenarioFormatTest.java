package ai.phoneagent.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioFormatTest {
    @Test
    void everyStepKindParsesIntoItsRecord() {
        Scenario scenario = Scenario.parse("""
                {"name": "all", "description": "every kind", "steps": [
                  {"await": "greeting", "timeout_ms": 1500},
                  {"caller": "Hi"},
                  {"agent": "Hello", "beta": true},
                  {"function_call": {"name": "end_call", "arguments": {"reason": "done"}, "call_id": "call_1"}},
                  {"dtmf": "5"},
                  {"error": {"type": "server_error", "message": "boom"}},
                  {"transcription_failed": true},
                  {"unknown": "some.new.event", "fields": {"x": 1}},
                  {"event": {"type": "rate_limits.updated"}},
                  {"repeat_last": true},
                  {"drop": true},
                  {"hangup": true, "close_frame": false},
                  {"pause_ms": 20}
                ]}""");

        assertThat(scenario.name()).isEqualTo("all");
        assertThat(scenario.description()).isEqualTo("every kind");
        assertThat(scenario.steps()).hasSize(13);
        assertThat(scenario.steps().get(0)).isEqualTo(new Step.Await(AwaitTarget.GREETING, Duration.ofMillis(1500)));
        assertThat(scenario.steps().get(1)).isEqualTo(new Step.Caller("Hi"));
        assertThat(scenario.steps().get(2)).isEqualTo(new Step.Agent("Hello", true));
        assertThat(scenario.steps().get(3)).isEqualTo(new Step.FunctionCall("end_call", "{\"reason\":\"done\"}", "call_1"));
        assertThat(scenario.steps().get(4)).isEqualTo(new Step.Dtmf("5"));
        assertThat(scenario.steps().get(5)).isInstanceOfSatisfying(Step.ErrorEvent.class,
                e -> assertThat(e.error().path("message").asText()).isEqualTo("boom"));
        assertThat(scenario.steps().get(6)).isInstanceOf(Step.TranscriptionFailed.class);
        assertThat(scenario.steps().get(7)).isInstanceOfSatisfying(Step.Unknown.class,
                u -> assertThat(u.fields().path("x").asInt()).isEqualTo(1));
        assertThat(scenario.steps().get(8)).isInstanceOf(Step.Raw.class);
        assertThat(scenario.steps().get(9)).isEqualTo(new Step.RepeatLast());
        assertThat(scenario.steps().get(10)).isEqualTo(new Step.Drop(false));
        assertThat(scenario.steps().get(11)).isEqualTo(new Step.Hangup(false));
        assertThat(scenario.steps().get(12)).isEqualTo(new Step.Pause(Duration.ofMillis(20)));
    }

    @Test
    void aBareArrayOfStepsIsAScenarioToo() {
        Scenario scenario = Scenario.parse("[{\"caller\":\"Hi\"},{\"hangup\":true}]");

        assertThat(scenario.steps()).containsExactly(new Step.Caller("Hi"), new Step.Hangup(true));
    }

    @Test
    void mistakesAreRejectedWithTheStepIndex() {
        assertThatThrownBy(() -> Scenario.parse("[{\"caller\":\"Hi\"},{\"shout\":\"x\"}]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step 1");
        assertThatThrownBy(() -> Scenario.parse("[{\"agent\":\"Hi\",\"betta\":true}]"))
                .hasMessageContaining("does not take 'betta'");
        assertThatThrownBy(() -> Scenario.parse("[{\"agent\":\"Hi\",\"caller\":\"Hey\"}]"))
                .hasMessageContaining("exactly one");
        assertThatThrownBy(() -> Scenario.parse("[{\"caller\":42}]")).hasMessageContaining("must be a string");
        assertThatThrownBy(() -> Scenario.parse("{\"name\":\"x\"}")).hasMessageContaining("steps");
        assertThatThrownBy(() -> Scenario.parse("{nope")).hasMessageContaining("not valid JSON");
    }

    @Test
    void everyBundledScenarioLoadsByName() {
        for (String name : Scenario.bundled()) {
            assertThat(Scenario.load(name).name()).isEqualTo(name);
        }
        assertThat(Scenario.load("demo.json").name()).isEqualTo("demo");
    }

    @Test
    void aScenarioLoadsFromAFilePath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("mine.json");
        Files.writeString(file, "[{\"dtmf\":\"1\"}]");

        Scenario scenario = Scenario.load(file.toString());

        assertThat(scenario.name()).isEqualTo("mine");
        assertThat(scenario.steps()).containsExactly(new Step.Dtmf("1"));
    }

    @Test
    void anUnknownNameIsAClearError() {
        assertThatThrownBy(() -> Scenario.load("no-such-scenario"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-scenario");
    }
}
