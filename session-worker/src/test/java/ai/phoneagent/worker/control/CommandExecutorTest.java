package ai.phoneagent.worker.control;

import static org.assertj.core.api.Assertions.assertThat;

import ai.phoneagent.worker.tools.TransferService;
import java.net.URI;
import org.junit.jupiter.api.Test;

class CommandExecutorTest {
    @Test
    void a_reason_code_becomes_the_end_reason_and_free_text_does_not() {
        assertThat(CommandExecutor.endReason("warm_transfer_complete")).hasToString("warm_transfer_complete");
        assertThat(CommandExecutor.endReason(" operator_hangup ")).hasToString("operator_hangup");
        assertThat(CommandExecutor.endReason(null)).hasToString("operator_hangup");
        assertThat(CommandExecutor.endReason("")).hasToString("operator_hangup");
        assertThat(CommandExecutor.endReason("abusive caller")).hasToString("operator_hangup");
        assertThat(CommandExecutor.endReason("Abusive")).hasToString("operator_hangup");
        assertThat(CommandExecutor.endReason("x".repeat(65))).hasToString("operator_hangup");
    }

    @Test
    void the_humans_status_callback_names_the_call_and_the_leg() {
        assertThat(TransferService.humanStatusCallback(URI.create("https://ctl.example.com/twilio/conference-events"),
                "rtc_123").toString()).isEqualTo("https://ctl.example.com/twilio/conference-events?callId=rtc_123&leg=human");
        assertThat(TransferService.humanStatusCallback(URI.create("https://ctl.example.com/prod/cb?x=1"), "rtc_1")
                .toString()).isEqualTo("https://ctl.example.com/prod/cb?x=1&callId=rtc_1&leg=human");
        assertThat(TransferService.humanStatusCallback(URI.create("https://ctl.example.com/cb#frag"), "rtc_1")
                .toString()).isEqualTo("https://ctl.example.com/cb?callId=rtc_1&leg=human");
    }
}
