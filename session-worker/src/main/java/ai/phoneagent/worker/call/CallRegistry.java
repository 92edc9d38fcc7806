package ai.phoneagent.worker.call;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The calls this worker hosts and its capacity: one slot per call, reserved before a queue message is received
 * and freed when the call stops, so a full worker stops receiving and other workers get the calls.
 */
public final class CallRegistry {
    private final int capacity;
    private final Slots slots;
    private final ConcurrentHashMap<String, Optional<CallSession>> calls = new ConcurrentHashMap<>();

    public CallRegistry(int capacity) {
        this.capacity = capacity;
        this.slots = new Slots(capacity);
    }

    public int capacity() {
        return capacity;
    }

    /** Waits up to {@code timeoutMs} for at least one free slot and reserves up to {@code max}; returns how many. */
    public int reserve(int max, long timeoutMs) throws InterruptedException {
        if (!slots.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS)) {
            return 0;
        }
        int extra = Math.min(max - 1, slots.availablePermits());
        int got = 1;
        if (extra > 0 && slots.tryAcquire(extra)) {
            got += extra;
        }
        return got;
    }

    /**
     * Reserves one slot for a call taken over from a dead worker, without waiting: a free slot, or else, while fewer
     * calls are hosted than the capacity, one of the slots an idle long poll of the calls queue holds in reserve
     * (borrowed: later reservations see one fewer until a call stops). So a take-over never waits out a long poll;
     * if that poll then brings messages for all its slots, the worker runs over its capacity by at most that batch
     * until calls end. Marks the call as being taken, as {@link #begin} does. False when the worker is full or
     * already hosts (or is taking) the call.
     */
    public synchronized boolean reserveNow(String callId) {
        if (calls.containsKey(callId)) {
            return false;
        }
        if (!slots.tryAcquire()) {
            if (calls.size() >= capacity) {
                return false;
            }
            slots.borrow();
        }
        if (calls.putIfAbsent(callId, Optional.empty()) != null) {
            slots.release(); // taken from the queue meanwhile
            return false;
        }
        return true;
    }

    /** Whether this worker hosts, or is taking, the call. */
    public boolean has(String callId) {
        return calls.containsKey(callId);
    }

    /** Frees reserved slots that did not become calls. */
    public void release(int count) {
        if (count > 0) {
            slots.release(count);
        }
    }

    /** Marks a call as being taken by this worker; false when this worker already hosts (or is taking) it. */
    public boolean begin(String callId) {
        return calls.putIfAbsent(callId, Optional.empty()) == null;
    }

    /** The call could not be taken after {@link #begin}: forget it and free its slot. */
    public void abandon(String callId) {
        calls.remove(callId);
        slots.release();
    }

    /** The call's session is running; it calls {@link #stopped} when it ends. */
    public void hosted(CallSession session) {
        calls.put(session.callId(), Optional.of(session));
    }

    /** The session stopped: forget it and free its slot. */
    public void stopped(String callId) {
        if (calls.remove(callId) != null) {
            slots.release();
        }
    }

    public Optional<CallSession> session(String callId) {
        return calls.getOrDefault(callId, Optional.empty());
    }

    public Collection<CallSession> sessions() {
        return calls.values().stream().flatMap(Optional::stream).toList();
    }

    public List<String> callIds() {
        return List.copyOf(calls.keySet());
    }

    /** Calls hosted or being taken. */
    public int active() {
        return calls.size();
    }

    /** The capacity's permits; a borrowed one is paid back by the next release. */
    private static final class Slots extends Semaphore {
        Slots(int permits) {
            super(permits);
        }

        void borrow() {
            reducePermits(1);
        }
    }
}
