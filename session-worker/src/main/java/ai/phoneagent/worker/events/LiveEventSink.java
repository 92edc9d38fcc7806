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

    /** Every sink in turn (each is quick and never throws). */
    static LiveEventSink all(LiveEventSink... sinks) {
        java.util.List<LiveEventSink> list = java.util.List.of(sinks);
        return event -> list.forEach(sink -> sink.publish(event));
    }
}
