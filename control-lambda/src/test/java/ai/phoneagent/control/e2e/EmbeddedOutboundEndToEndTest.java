package ai.phoneagent.control.e2e;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.EmbeddedAws;

/** The outbound suite on DynamoDB Local and ElasticMQ in this JVM. */
class EmbeddedOutboundEndToEndTest extends OutboundEndToEndSuite {
    @Override
    AwsBackend backend() {
        return EmbeddedAws.shared();
    }
}
