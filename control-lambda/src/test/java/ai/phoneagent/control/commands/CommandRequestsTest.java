package ai.phoneagent.control.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.phoneagent.command.CommandType;
import ai.phoneagent.config.Env;
import ai.phoneagent.control.api.ApiError;
import ai.phoneagent.json.Json;
import ai.phoneagent.tools.TransferConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandRequestsTest {
    private final CommandRequests requests = new CommandRequests(TransferConfig.fromEnv(Env.of(Map.of(
            "HUMAN_AGENT_NUMBER", "+15551230000",
            "TRANSFER_TARGETS", "sales=+15551230001;cold",
            "TWILIO_ACCOUNT_SID", "AC0001",
            "TWILIO_AUTH_TOKEN", "token"))));

    private static ObjectNode body(String json) {
        try {
            return (ObjectNode) Json.parse(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void assertRejected(Runnable action, String code) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo(code);
        });
    }

    @Test
    void anEmptyTransferGoesToTheDefaultTargetInItsMode() {
        assertThat(requests.args(CommandType.TRANSFER, body("{}")))
                .isEqualTo(body("{\"target\":\"human\",\"mode\":\"warm\"}"));
    }

    @Test
    void aTransferNamesAnAllowListedTargetAndMayOverrideTheMode() {
        ObjectNode args = requests.args(CommandType.TRANSFER, body(
                "{\"target\":\"Sales\",\"mode\":\"warm\",\"message\":\"Putting you through\",\"silent\":true,"
                        + "\"reason\":\" vip \",\"number\":\"+15551230001\"}"));
        assertThat(args).isEqualTo(body("{\"target\":\"sales\",\"mode\":\"warm\",\"message\":\"Putting you through\","
                + "\"silent\":true,\"reason\":\"vip\"}"));
    }

    @Test
    void anUnknownTransferTargetIsRejected() {
        assertRejected(() -> requests.args(CommandType.TRANSFER, body("{\"target\":\"+15550001111\"}")),
                "invalid_transfer_target");
        assertRejected(() -> requests.args(CommandType.TRANSFER, body("{\"target\":\"boss\"}")),
                "invalid_transfer_target");
    }

    @Test
    void transferIsRejectedWhenNoTargetsAreConfigured() {
        CommandRequests none = new CommandRequests(TransferConfig.fromEnv(Env.of(Map.of())));
        assertRejected(() -> none.args(CommandType.TRANSFER, body("{}")), "invalid_transfer_target");
    }

    @Test
    void badTransferFieldsAreInvalidRequests() {
        assertRejected(() -> requests.args(CommandType.TRANSFER, body("{\"mode\":\"lukewarm\"}")), "invalid_request");
        assertRejected(() -> requests.args(CommandType.TRANSFER, body("{\"silent\":\"yes\"}")), "invalid_request");
        assertRejected(() -> requests.args(CommandType.TRANSFER, body("{\"target\":7}")), "invalid_request");
        assertRejected(() -> requests.args(CommandType.TRANSFER, body("{\"message\":\"" + "m".repeat(1001) + "\"}")),
                "invalid_request");
    }

    @Test
    void warmTransferNeedsTwilioCredentials() {
        CommandRequests coldOnly = new CommandRequests(TransferConfig.fromEnv(Env.of(Map.of(
                "HUMAN_AGENT_NUMBER", "+15551230000", "TRANSFER_MODE", "cold"))));
        assertRejected(() -> coldOnly.args(CommandType.TRANSFER, body("{\"mode\":\"warm\"}")), "invalid_request");
    }

    @Test
    void hangupKeepsOnlyTheReason() {
        assertThat(requests.args(CommandType.HANGUP, body("{}"))).isEmpty();
        assertThat(requests.args(CommandType.HANGUP, body("{\"reason\":\"abuse\",\"extra\":1}")))
                .isEqualTo(body("{\"reason\":\"abuse\"}"));
        assertRejected(() -> requests.args(CommandType.HANGUP, body("{\"reason\":5}")), "invalid_request");
    }

    @Test
    void instructionsNeedText() {
        assertThat(requests.args(CommandType.INSTRUCTIONS, body("{\"text\":\"Be brief\",\"respond\":false}")))
                .isEqualTo(body("{\"text\":\"Be brief\",\"respond\":false}"));
        for (String bad : new String[] {"{}", "{\"text\":\"  \"}", "{\"text\":null}", "{\"text\":[\"a\"]}",
                "{\"text\":\"x\",\"respond\":1}"}) {
            assertRejected(() -> requests.args(CommandType.INSTRUCTIONS, body(bad)), "invalid_request");
        }
    }
}
