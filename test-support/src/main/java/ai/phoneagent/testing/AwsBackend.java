package ai.phoneagent.testing;

import ai.phoneagent.aws.AwsSettings;

/** Somewhere real SQS and DynamoDB APIs answer: the embedded engines, or LocalStack where Docker exists. */
public interface AwsBackend {
    /** Client settings that reach this backend. */
    AwsSettings settings();

    /** A short name for test reports. */
    String name();
}
