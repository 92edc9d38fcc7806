package ai.phoneagent.webhook;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.LocalStackAws;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The intake suite on LocalStack; skipped where no Docker engine runs. */
@Testcontainers(disabledWithoutDocker = true)
class WebhookIntakeLocalStackTest extends WebhookIntakeSuite {
    @Override
    AwsBackend backend() {
        return LocalStackAws.shared();
    }
}
