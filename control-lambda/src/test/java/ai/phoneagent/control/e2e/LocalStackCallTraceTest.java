package ai.phoneagent.control.e2e;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.LocalStackAws;
import org.testcontainers.junit.jupiter.Testcontainers;

/** One trace per call against LocalStack; skipped where no Docker engine is available. */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackCallTraceTest extends CallTraceSuite {
    @Override
    AwsBackend backend() {
        return LocalStackAws.shared();
    }
}
