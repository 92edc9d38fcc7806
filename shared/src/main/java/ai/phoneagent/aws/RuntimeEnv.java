package ai.phoneagent.aws;

import ai.phoneagent.config.Env;
import ai.phoneagent.config.Secrets;

/** The environment a deployed part runs with: process variables plus secrets from Secrets Manager, read once. */
public final class RuntimeEnv {
    private RuntimeEnv() {
    }

    /** Resolves {@code SECRETS_ARN} (when set) beneath the given environment. */
    public static Env load(Env env) {
        return Secrets.resolve(env, arn -> {
            try (var client = new AwsClients(AwsSettings.fromEnv(env)).secrets()) {
                return client.getSecretValue(b -> b.secretId(arn)).secretString();
            }
        });
    }
}
