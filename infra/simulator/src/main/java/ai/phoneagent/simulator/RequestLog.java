package ai.phoneagent.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Every request a fake received, in arrival order, with waiting on a condition. */
final class RequestLog<T> {
    private final List<T> entries = new ArrayList<>();

    synchronized void add(T entry) {
        entries.add(entry);
        notifyAll();
    }

    synchronized List<T> all() {
        return List.copyOf(entries);
    }

    synchronized void clear() {
        entries.clear();
    }

    /** The first entry matching, waiting until the deadline; null on timeout. */
    synchronized T await(Predicate<T> predicate, Deadline deadline) throws InterruptedException {
        int next = 0;
        while (true) {
            for (; next < entries.size(); next++) {
                if (predicate.test(entries.get(next))) {
                    return entries.get(next);
                }
            }
            if (!deadline.waitOn(this)) {
                return null;
            }
        }
    }

    /** Waits until at least {@code count} entries match; returns them, or null on timeout. */
    synchronized List<T> awaitCount(Predicate<T> predicate, int count, Deadline deadline) throws InterruptedException {
        while (true) {
            List<T> matching = entries.stream().filter(predicate).toList();
            if (matching.size() >= count) {
                return matching;
            }
            if (!deadline.waitOn(this)) {
                return null;
            }
        }
    }
}
