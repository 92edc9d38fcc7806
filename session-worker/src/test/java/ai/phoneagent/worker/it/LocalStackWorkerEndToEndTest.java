package ai.phoneagent.worker.it;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.LocalStackAws;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The end-to-end suite on LocalStack; skipped where there is no Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackWorkerEndToEndTest extends WorkerEndToEndSuite {
    @Override
    public AwsBackend backend() {
        return LocalStackAws.shared();
    }
}
