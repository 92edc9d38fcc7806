package ai.phoneagent.config;

import ai.phoneagent.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Resolves secrets once per container: when {@code SECRETS_ARN} names a Secrets Manager secret holding a JSON
 * object, its string fields become variables beneath the real environment.
 */
public final class Secrets {
    /** Variable naming the Secrets Manager secret (a JSON object of variable names to values). */
    public static final String SECRETS_ARN = "SECRETS_ARN";

    private Secrets() {
    }

    /**
     * The environment with secrets filled in. {@code fetch} maps a secret id to its JSON string; it is only called
     * when {@code SECRETS_ARN} is set.
     */
    public static Env resolve(Env env, Function<String, String> fetch) {
        var arn = env.optional(SECRETS_ARN);
        if (arn.isEmpty()) {
            return env;
        }
        String secretJson;
        try {
            secretJson = fetch.apply(arn.get());
        } catch (RuntimeException e) {
            throw new ConfigException(SECRETS_ARN, "could not be read from Secrets Manager (" + e.getClass().getSimpleName() + ")");
        }
        return env.withDefaults(parse(secretJson));
    }

    static Map<String, String> parse(String secretJson) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(secretJson);
        } catch (Exception e) {
            throw new ConfigException(SECRETS_ARN, "must hold a JSON object of variable names to strings");
        }
        if (node == null || !node.isObject()) {
            throw new ConfigException(SECRETS_ARN, "must hold a JSON object of variable names to strings");
        }
        Map<String, String> values = new HashMap<>();
        for (var field : node.properties()) {
            if (field.getValue().isTextual()) {
                values.put(field.getKey(), field.getValue().asText());
            }
        }
        return values;
    }
}
