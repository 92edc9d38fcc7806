package ai.phoneagent.webhook;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.EmbeddedAws;

/** The intake suite on ElasticMQ and DynamoDB Local in this JVM. */
class WebhookIntakeEmbeddedTest extends WebhookIntakeSuite {
    @Override
    AwsBackend backend() {
        return EmbeddedAws.shared();
    }
}
