package ai.phoneagent.control.e2e;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.EmbeddedAws;

/** The end-to-end suite on DynamoDB Local and ElasticMQ in this JVM. */
class EmbeddedControlEndToEndTest extends ControlEndToEndSuite {
    @Override
    AwsBackend backend() {
        return EmbeddedAws.shared();
    }
}
