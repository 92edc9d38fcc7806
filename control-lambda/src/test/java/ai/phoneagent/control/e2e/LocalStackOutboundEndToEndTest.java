package ai.phoneagent.control.e2e;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.LocalStackAws;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The outbound suite against LocalStack; skipped where no Docker engine is available. */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackOutboundEndToEndTest extends OutboundEndToEndSuite {
    @Override
    AwsBackend backend() {
        return LocalStackAws.shared();
    }
}
