package ai.phoneagent.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.config.Env;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpToolsFileTest {
    @Test
    void parsesToolsAndExpandsHeaderVariables() {
        var tools = HttpToolsFile.parse("""
                [{"name": "crm", "description": "CRM lookup", "url": "http://127.0.0.1:9/x",
                  "timeout_ms": 1500, "headers": {"X-Key": "k-${CRM_KEY}"}}]""", Env.of(Map.of("CRM_KEY", "abc")));
        assertThat(tools).hasSize(1);
        assertThat(tools.getFirst().headers()).containsEntry("X-Key", "k-abc");
        assertThat(tools.getFirst().timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(tools.getFirst().parameters().get("type").asText()).isEqualTo("object");
        assertThat(tools.getFirst().toString()).doesNotContain("k-abc");
    }

    @Test
    void rejectsReservedAndDuplicateNames() {
        assertThatThrownBy(() -> HttpToolsFile.parse("""
                [{"name": "end_call", "description": "d", "url": "http://h/x"}]""", Env.of(Map.of())))
                .hasMessageContaining("HTTP_TOOLS_PATH").hasMessageContaining("end_call");
        assertThatThrownBy(() -> HttpToolsFile.parse("""
                [{"name": "a", "description": "d", "url": "http://h/x"}, {"name": "a", "description": "d", "url": "http://h/y"}]""",
                Env.of(Map.of()))).hasMessageContaining("repeats");
    }

    @Test
    void rejectsMissingUrlUnsetVariableAndBadTimeout() {
        assertThatThrownBy(() -> HttpToolsFile.parse("[{\"name\":\"a\",\"description\":\"d\"}]", Env.of(Map.of())))
                .hasMessageContaining("url");
        assertThatThrownBy(() -> HttpToolsFile.parse("""
                [{"name": "a", "description": "d", "url": "http://h/x", "headers": {"K": "${NOPE}"}}]""", Env.of(Map.of())))
                .hasMessageContaining("NOPE");
        assertThatThrownBy(() -> HttpToolsFile.parse("""
                [{"name": "a", "description": "d", "url": "http://h/x", "timeout_ms": 5}]""", Env.of(Map.of())))
                .hasMessageContaining("timeout_ms");
        assertThatThrownBy(() -> HttpToolsFile.parse("{oops", Env.of(Map.of()))).hasMessageContaining("not valid JSON");
    }
}
