package ai.phoneagent.worker.it;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.EmbeddedAws;

/** The end-to-end suite on ElasticMQ and DynamoDB Local in this JVM. */
class EmbeddedWorkerEndToEndTest extends WorkerEndToEndSuite {
    @Override
    public AwsBackend backend() {
        return EmbeddedAws.shared();
    }
}
