package ai.phoneagent.simulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Scripted Calls API answers: queued ones are used once each, in order; a sticky one after the queue runs dry. */
final class AnswerScript {
    private static final String ANY_CALL = "*";

    private record Key(String callId, CallVerb verb) {
    }

    private final Map<Key, Deque<CallsAnswer>> queued = new HashMap<>();
    private final Map<Key, CallsAnswer> sticky = new HashMap<>();

    synchronized void enqueue(String callId, CallVerb verb, List<CallsAnswer> answers) {
        queued.computeIfAbsent(new Key(callId, verb), k -> new ArrayDeque<>()).addAll(answers);
    }

    synchronized void enqueueAnyCall(CallVerb verb, List<CallsAnswer> answers) {
        enqueue(ANY_CALL, verb, answers);
    }

    synchronized void always(String callId, CallVerb verb, CallsAnswer answer) {
        sticky.put(new Key(callId, verb), answer);
    }

    /** Answers this verb the same way for every call without a sticky answer of its own; null removes it. */
    synchronized void alwaysAnyCall(CallVerb verb, CallsAnswer answer) {
        if (answer == null) {
            sticky.remove(new Key(ANY_CALL, verb));
        } else {
            sticky.put(new Key(ANY_CALL, verb), answer);
        }
    }

    synchronized void clear() {
        queued.clear();
        sticky.clear();
    }

    /** The scripted answer for this request, or null for the simulator's default behaviour. */
    synchronized CallsAnswer next(String callId, CallVerb verb) {
        for (String id : new String[] {callId, ANY_CALL}) {
            Deque<CallsAnswer> queue = queued.get(new Key(id, verb));
            if (queue != null && !queue.isEmpty()) {
                return queue.poll();
            }
        }
        CallsAnswer answer = sticky.get(new Key(callId, verb));
        return answer != null ? answer : sticky.get(new Key(ANY_CALL, verb));
    }
}
