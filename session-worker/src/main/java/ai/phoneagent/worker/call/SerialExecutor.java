package ai.phoneagent.worker.call;

import ai.phoneagent.logging.LogContext;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time in submission order, on a virtual thread started only while there is work: each call
 * gets one, so a call's events are handled in order while calls stay independent and idle calls hold no thread.
 * Given a {@link LogContext}, every task runs in it, whoever submitted it (a socket reader, a timer, the I/O pool).
 */
public final class SerialExecutor implements Executor {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final String name;
    private final Consumer<Throwable> onError;
    private volatile Thread current;
    private final Runnable drain;

    public SerialExecutor(String name, Consumer<Throwable> onError) {
        this(name, null, onError);
    }

    /** @param context the context every task runs in (null: none) */
    public SerialExecutor(String name, LogContext context, Consumer<Throwable> onError) {
        this.name = name;
        this.onError = onError;
        this.drain = context == null ? this::drain : context.bind(this::drain);
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        startIfIdle();
    }

    private void startIfIdle() {
        if (running.compareAndSet(false, true)) {
            Thread.ofVirtual().name(name).start(drain);
        }
    }

    /** True on the thread running this executor's tasks, i.e. inside a task. */
    public boolean inContext() {
        return current == Thread.currentThread();
    }

    private void drain() {
        current = Thread.currentThread();
        try {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (Throwable t) {
                    onError.accept(t);
                }
            }
        } finally {
            current = null;
            running.set(false);
            // a task added between the last poll and the flag reset must not be stranded
            if (!tasks.isEmpty()) {
                startIfIdle();
            }
        }
    }
}
