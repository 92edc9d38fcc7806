package ai.phoneagent.concurrent;

import ai.phoneagent.logging.LogContext;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Work started on a thread of its own beside the caller's and taken later: a request's second AWS round trip that
 * need not wait for its first, a Lambda's start-up work. One way to start such work and one way to wait for it.
 */
public final class Beside {
    private Beside() {
    }

    /** Runs {@code work} now on a virtual thread named {@code name}, in the caller's log context. */
    public static <T> CompletableFuture<T> start(String name, Supplier<T> work) {
        return startOn(Thread.ofVirtual().name(name), LogContext.wrapCallable(work::get));
    }

    /**
     * Runs {@code work} now on a daemon platform thread named {@code name}: start-up work that must not wait for a
     * virtual thread's carrier, nor keep the process alive.
     */
    public static <T> CompletableFuture<T> startOnPlatform(String name, Callable<T> work) {
        return startOn(Thread.ofPlatform().name(name).daemon(), work);
    }

    private static <T> CompletableFuture<T> startOn(Thread.Builder thread, Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        thread.start(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /**
     * Waits for the work: its value, or its failure thrown as it was (a checked exception wrapped, naming {@code what});
     * an interrupt while waiting ends the wait with an {@link IllegalStateException}, the thread's flag set again.
     */
    public static <T> T join(CompletableFuture<T> work, String what) {
        try {
            return work.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }
}
