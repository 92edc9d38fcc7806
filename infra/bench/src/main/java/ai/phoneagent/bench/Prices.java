package ai.phoneagent.bench;

/**
 * On-demand list prices (USD, us-east-1, Linux/ARM where it applies) used to price a call-minute. Kept in one place,
 * dated: update {@link #AS_OF} with the figures when AWS changes them. Free tiers are ignored.
 */
final class Prices {
    /** When these figures were taken from the AWS pricing pages (not re-checked online by the bench). */
    static final String AS_OF = "2025-01 list prices (DynamoDB on-demand after the Nov 2024 cut)";
    static final double DYNAMODB_PER_MILLION_WRITE_UNITS = 0.625;
    static final double DYNAMODB_PER_MILLION_READ_UNITS = 0.125;
    static final double SQS_STANDARD_PER_MILLION_REQUESTS = 0.40;
    static final double LAMBDA_PER_MILLION_REQUESTS = 0.20;
    /** arm64 Lambda. */
    static final double LAMBDA_PER_GB_SECOND = 0.0000133334;
    /** Fargate arm64 per vCPU-hour and per GB-hour. */
    static final double FARGATE_PER_VCPU_HOUR = 0.03238;
    static final double FARGATE_PER_GB_HOUR = 0.00356;
    /** The Lambdas' memory size in template.yaml. */
    static final double LAMBDA_MEMORY_GB = 1.0;
    /** Average call length the per-call (intake and end) requests are spread over. */
    static final double ASSUMED_CALL_MINUTES = 3.0;

    private Prices() {
    }
}
