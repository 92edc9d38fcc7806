package ai.phoneagent.control;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.EmbeddedAws;

/** The control API suite against DynamoDB Local and ElasticMQ in this JVM. */
class EmbeddedControlApiTest extends ControlApiContract {
    @Override
    AwsBackend backend() {
        return EmbeddedAws.shared();
    }
}
