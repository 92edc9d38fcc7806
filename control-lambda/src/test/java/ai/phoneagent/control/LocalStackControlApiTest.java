package ai.phoneagent.control;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.LocalStackAws;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The same suite against LocalStack; skipped where no Docker engine is available. */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackControlApiTest extends ControlApiContract {
    @Override
    AwsBackend backend() {
        return LocalStackAws.shared();
    }
}
