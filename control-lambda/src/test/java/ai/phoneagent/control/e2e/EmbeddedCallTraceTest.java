package ai.phoneagent.control.e2e;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.EmbeddedAws;

/** One trace per call on DynamoDB Local and ElasticMQ in this JVM. */
class EmbeddedCallTraceTest extends CallTraceSuite {
    @Override
    AwsBackend backend() {
        return EmbeddedAws.shared();
    }
}
