package ai.phoneagent.control;

import ai.phoneagent.config.Env;
import ai.phoneagent.testing.TestKeys;
import java.util.HashMap;
import java.util.Map;

/** Environment maps for building a {@link ControlConfig} in tests. */
public final class TestConfigs {
    public static final String CALLBACK_URL = "https://control.example.test/twilio/conference-events";
    public static final String HUMAN_LABEL = "human agent";

    private TestConfigs() {
    }

    /** A complete, valid configuration on local endpoints (nothing listens there unless a fixture says so). */
    public static Map<String, String> baseEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9");
        env.put("CALLS_TABLE", "calls-test");
        env.put("CONTROL_QUEUE_PREFIX", "ctl-test-");
        env.put("CONTROL_API_TOKEN", TestKeys.CONTROL_API_TOKEN);
        env.put("TWILIO_ACCOUNT_SID", TestKeys.TWILIO_ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", TestKeys.TWILIO_AUTH_TOKEN);
        env.put("TWILIO_STATUS_CALLBACK_URL", CALLBACK_URL);
        env.put("TWILIO_HUMAN_LABEL", HUMAN_LABEL);
        env.put("HUMAN_AGENT_NUMBER", "+15551230000");
        env.put("TRANSFER_TARGETS", "sales=+15551230001;cold");
        return env;
    }

    public static ControlConfig config(Map<String, String> overrides) {
        Map<String, String> env = baseEnv();
        env.putAll(overrides);
        env.values().removeIf(v -> v == null);
        return ControlConfig.fromEnv(Env.of(env));
    }
}
