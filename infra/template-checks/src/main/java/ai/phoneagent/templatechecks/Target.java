package ai.phoneagent.templatechecks;

/** What an IAM statement of a part may point at, identified by evaluating the template (see {@link FakeStack}). */
public enum Target {
    CALLS_TABLE("the calls table"),
    CALLS_TABLE_INDEXES("the calls table's indexes"),
    CALLS_QUEUE("the calls queue"),
    CALLS_DLQ("the calls dead-letter queue"),
    CALL_EVENTS_QUEUE("the call-events queue"),
    CONTROL_QUEUES("the per-call control queues (CONTROL_QUEUE_PREFIX*)"),
    SECRET("the agent secret"),
    OWN_LOG_GROUP("the part's own log group"),
    ANY("Resource '*'");

    private final String description;

    Target(String description) {
        this.description = description;
    }

    @Override
    public String toString() {
        return description;
    }
}
