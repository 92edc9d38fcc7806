package ai.phoneagent.worker.summary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.call.CallSummary;
import ai.phoneagent.config.ConfigException;
import ai.phoneagent.config.Env;
import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary's pure parts: reading the model's answer, the schema check, the transcript cut, the settings. */
class SummaryPiecesTest {
    private static ObjectNode answer() {
        return Json.object().put("summary", "Asked for opening hours.").put("reason", "Opening hours")
                .put("outcome", "resolved").put("follow_up_needed", false).put("follow_up", "").put("sentiment", "neutral");
    }

    private static String response(String status, ObjectNode... parts) {
        ObjectNode response = Json.object().put("object", "response").put("status", status);
        var output = response.putArray("output");
        output.addObject().put("type", "reasoning").putArray("summary");
        var content = output.addObject().put("type", "message").put("role", "assistant").putArray("content");
        for (ObjectNode part : parts) {
            content.add(part);
        }
        return Json.write(response);
    }

    private static ObjectNode text(String text) {
        return Json.object().put("type", "output_text").put("text", text);
    }

    @Test
    void aCompletedResponseIsReadFromItsMessagesOutputTextPastAReasoningItem() {
        ResponsesClient.Answer answer = ResponsesClient.read(response("completed", text(Json.write(answer()))));

        assertThat(answer).isEqualTo(new ResponsesClient.Answer.Summarised(new CallSummary.Fields(
                "Asked for opening hours.", "Opening hours", "resolved", false, "", "neutral")));
    }

    @Test
    void aRefusalOrAnExhaustedBudgetGivesUpWhileOffSchemaOrBrokenAnswersAreTriedAgain() {
        assertThat(ResponsesClient.read(response("completed", Json.object().put("type", "refusal")
                .put("refusal", "I can't help with that.")))).isEqualTo(new ResponsesClient.Answer.GiveUp("refusal: I can't help with that."));
        assertThat(ResponsesClient.read(Json.write(Json.object().put("status", "incomplete").set("incomplete_details",
                Json.object().put("reason", "max_output_tokens"))))).isEqualTo(new ResponsesClient.Answer.GiveUp("incomplete: max_output_tokens"));
        assertThat(ResponsesClient.read(response("completed", text("{\"summary\":")))).isInstanceOf(ResponsesClient.Answer.TryAgain.class);
        assertThat(ResponsesClient.read(response("completed", text(Json.write(answer().put("sentiment", "furious"))))))
                .isInstanceOf(ResponsesClient.Answer.TryAgain.class);
        assertThat(ResponsesClient.read(response("failed"))).isEqualTo(new ResponsesClient.Answer.TryAgain("response_failed"));
        assertThat(ResponsesClient.read("<html>")).isInstanceOf(ResponsesClient.Answer.TryAgain.class);
        assertThat(ResponsesClient.read(response("completed"))).isEqualTo(new ResponsesClient.Answer.TryAgain("invalid_response: no output_text"));
    }

    @Test
    void theSchemaCheckRefusesWrongTypesUnknownEnumsExtraFieldsAndOverlongText() {
        assertThat(SummarySchema.read(answer())).isPresent();
        assertThat(SummarySchema.read(answer().put("follow_up_needed", "yes"))).isEmpty();
        assertThat(SummarySchema.read(answer().put("outcome", "great"))).isEmpty();
        assertThat(SummarySchema.read(answer().put("extra", 1))).isEmpty();
        assertThat(SummarySchema.read(answer().put("summary", " "))).isEmpty();
        assertThat(SummarySchema.read(answer().put("reason", "x".repeat(SummarySchema.MAX_TEXT + 1)))).isEmpty();
        ObjectNode missing = answer();
        missing.remove("sentiment");
        assertThat(SummarySchema.read(missing)).isEmpty();
        assertThat(SummarySchema.schema().path("required")).hasSize(SummarySchema.schema().path("properties").size());
    }

    @Test
    void aLongTranscriptKeepsItsFirstThirdAndItsEndWithinTheLimit() {
        String text = "A".repeat(5_000) + "B".repeat(5_000);

        String cut = SummaryInput.truncate(text, 1_000);

        assertThat(cut.length()).isLessThanOrEqualTo(1_000);
        assertThat(cut).startsWith("AAAA").endsWith("BBBB").contains("10000 characters in all; the middle was left out");
        assertThat(cut.indexOf('[')).isBetween(250, 340);
        assertThat(SummaryInput.truncate("short", 1_000)).isEqualTo("short");
        String emoji = "😀".repeat(1_000);
        String cutEmoji = SummaryInput.truncate(emoji, 501);
        assertThat(cutEmoji.codePoints().anyMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)).isFalse();
    }

    @Test
    void settingsAreOffWithoutAModelAndValidatedWithOne() {
        assertThat(SummarySettings.fromEnv(Env.of(Map.of())).enabled()).isFalse();
        SummarySettings on = SummarySettings.fromEnv(Env.of(Map.of("SUMMARY_MODEL", "gpt-4.1-mini",
                "SUMMARY_RETRY_MS", "3600000")));
        assertThat(on.enabled()).isTrue();
        assertThat(on.maxTranscriptChars()).isEqualTo(24_000);
        assertThat(on.maxOutputTokens()).isEqualTo(1_000);
        assertThat(on.recoveryLookback()).isGreaterThan(on.claimLease());
        assertThat(on.claimLease()).isGreaterThan(Duration.ofHours(1));
        assertThatThrownBy(() -> SummarySettings.fromEnv(Env.of(Map.of("SUMMARY_MODEL", "gpt 4; drop"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SUMMARY_MODEL");
        assertThatThrownBy(() -> SummarySettings.fromEnv(Env.of(Map.of("SUMMARY_MODEL", "m", "SUMMARY_MAX_OUTPUT_TOKENS", "8"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SUMMARY_MAX_OUTPUT_TOKENS");
    }
}
