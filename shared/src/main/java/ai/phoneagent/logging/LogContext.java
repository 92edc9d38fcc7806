package ai.phoneagent.logging;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Which call a piece of work is about: its {@code call_id} and {@code trace_id}, bound for the extent of the work
 * with a {@link ScopedValue}, so every {@link JsonLog} line written inside carries both without anyone passing them.
 * Two kinds:
 * <ul>
 *   <li>{@link #ofCall}: a call's own work (the worker's session, its I/O, its commands); fixed.</li>
 *   <li>{@link #request()} / {@link #about}: a request that learns which call it is about as it goes (the webhook
 *       after parsing, the control API after reading the call's item); {@link #identify} fills it in.</li>
 * </ul>
 * A scoped value is not inherited by a new thread: work handed to another thread is wrapped once at the hand-over
 * ({@link #wrap}, {@link #propagating}), never at each log call.
 */
public final class LogContext {
    private static final ScopedValue<LogContext> CURRENT = ScopedValue.newInstance();

    private final boolean fixed;
    private volatile String callId;
    private volatile String traceId;

    private LogContext(boolean fixed, String callId, String traceId) {
        this.fixed = fixed;
        this.callId = callId;
        this.traceId = traceId;
    }

    /** A call's own context: {@code traceId} when valid, else a new one. */
    public static LogContext ofCall(String callId, String traceId) {
        return new LogContext(true, callId, TraceParent.isValidTraceId(traceId) ? traceId : TraceParent.newTraceId());
    }

    /** A request's context, about no call yet. */
    public static LogContext request() {
        return new LogContext(false, null, null);
    }

    /** Work about {@code callId} whose trace id is learnt later (e.g. from the call's stored item). */
    public static LogContext about(String callId) {
        return new LogContext(false, callId, null);
    }

    /** Work about a stored call from outside its own work (a sweep, a take-over): its trace if it has a valid one. */
    public static LogContext about(String callId, String traceId) {
        return new LogContext(false, callId, TraceParent.isValidTraceId(traceId) ? traceId : null);
    }

    /** The context of the running work, if any. */
    public static Optional<LogContext> current() {
        return CURRENT.isBound() ? Optional.of(CURRENT.get()) : Optional.empty();
    }

    /** The running work's trace id when it is about {@code callId} (null otherwise): what a message about it carries. */
    public static String traceIdFor(String callId) {
        if (!CURRENT.isBound() || callId == null) {
            return null;
        }
        LogContext context = CURRENT.get();
        return callId.equals(context.callId) ? context.traceId : null;
    }

    /**
     * Tells the running request which call it is about: sets the call id if none is set yet and, for that call, the
     * trace id (a valid {@code traceId} replaces an earlier one: the call's stored trace wins over a fresh one).
     * Does nothing outside a context, in a call's fixed context, or for another call.
     */
    public static void identify(String callId, String traceId) {
        if (!CURRENT.isBound() || callId == null) {
            return;
        }
        LogContext context = CURRENT.get();
        if (context.fixed) {
            return;
        }
        synchronized (context) {
            if (context.callId == null) {
                context.callId = callId;
            }
            if (callId.equals(context.callId) && TraceParent.isValidTraceId(traceId)) {
                context.traceId = traceId;
            }
        }
    }

    public String callId() {
        return callId;
    }

    public String traceId() {
        return traceId;
    }

    /** A {@code traceparent} header for an outgoing request in this context's trace, if it has one. */
    public Optional<String> traceparent() {
        String trace = traceId;
        return trace == null ? Optional.empty() : Optional.of(TraceParent.header(trace));
    }

    /** Runs {@code work} in this context (nested contexts shadow outer ones until they end). */
    public void run(Runnable work) {
        ScopedValue.where(CURRENT, this).run(work);
    }

    /** Runs {@code work} in this context and returns its result. */
    public <T> T get(Supplier<T> work) {
        return ScopedValue.where(CURRENT, this).call(work::get);
    }

    /** {@code work} bound to this context, to run on another thread. */
    public Runnable bind(Runnable work) {
        return () -> run(work);
    }

    /** {@code work} bound to the caller's current context (unchanged when there is none). */
    public static Runnable wrap(Runnable work) {
        return CURRENT.isBound() ? CURRENT.get().bind(work) : work;
    }

    /** {@code work} bound to the caller's current context (unchanged when there is none). */
    public static <T> Callable<T> wrapCallable(Callable<T> work) {
        if (!CURRENT.isBound()) {
            return work;
        }
        LogContext context = CURRENT.get();
        return () -> ScopedValue.where(CURRENT, context).call(work::call);
    }

    /** An executor that runs each task in the context of whoever handed it over. */
    public static Executor propagating(Executor delegate) {
        return task -> delegate.execute(wrap(task));
    }
}
