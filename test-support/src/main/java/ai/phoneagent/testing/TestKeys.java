package ai.phoneagent.testing;

/** Fixed, obviously fake credentials for tests; assertions check that none of them leaks into output. */
public final class TestKeys {
    public static final String OPENAI_API_KEY = "sk-test-0123456789abcdefSECRETKEY";
    /** {@code whsec_} + base64 of 32 bytes. */
    public static final String WEBHOOK_SECRET = "whsec_c2VjcmV0LXRlc3Qta2V5LWZvci13ZWJob29rcy0xMjM0NQ==";
    public static final String CONTROL_API_TOKEN = "ctl-test-token-SECRET-0123456789";
    public static final String TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000001";
    public static final String TWILIO_AUTH_TOKEN = "twilio-test-auth-token-SECRET";

    private TestKeys() {
    }

    /** True when {@code text} contains any of the secrets above. */
    public static boolean containsSecret(String text) {
        return text.contains(OPENAI_API_KEY) || text.contains(WEBHOOK_SECRET) || text.contains(CONTROL_API_TOKEN)
                || text.contains(TWILIO_AUTH_TOKEN) || text.contains("c2VjcmV0LXRlc3Qta2V5");
    }
}
