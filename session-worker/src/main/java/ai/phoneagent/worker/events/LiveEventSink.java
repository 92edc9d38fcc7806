package ai.phoneagent.worker.events;

/**
 * The one port live call events leave the worker through. Implementations must be quick and never throw: they are
 * called from the call's mailbox, so anything slow (HTTP) is buffered and sent elsewhere.
 */
@FunctionalInterface
public interface LiveEventSink {
    void publish(LiveEvent event);

    static LiveEventSink none() {
        return event -> { };
    }
}
