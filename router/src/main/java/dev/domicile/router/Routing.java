package dev.domicile.router;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/**
 * The routing context bound to the current thread, and the means to carry it to other threads.
 *
 * <p>A context is bound for a scope and always unbound when the scope ends, also on failure, so it cannot leak
 * from one request into the next on a pooled thread. It is deliberately not inherited by new threads (an inheritable
 * value would stay in a pool thread created during a request); to run work on another thread in the same context,
 * wrap it with {@link #wrap(Runnable)} / {@link #wrap(Callable)} or submit it through {@link #propagating(Executor)}.
 */
public final class Routing {

    private static final ThreadLocal<RoutingContext> CURRENT = new ThreadLocal<>();

    private Routing() {
    }

    /** The context bound to this thread, if any. */
    public static Optional<RoutingContext> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    static RoutingContext currentOrNull() {
        return CURRENT.get();
    }

    /** A bound context; closing it restores whatever was bound before. */
    public interface Binding extends AutoCloseable {
        /** Unbinds. @throws IllegalStateException if called on another thread than the one that bound */
        @Override
        void close();
    }

    /** Binds {@code context} to this thread until the returned binding is closed (use try-with-resources). */
    public static Binding bind(RoutingContext context) {
        Objects.requireNonNull(context, "context");
        RoutingContext previous = CURRENT.get();
        Thread owner = Thread.currentThread();
        CURRENT.set(context);
        return () -> {
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("a routing binding must be closed on the thread that made it");
            }
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** Runs {@code work} with {@code context} bound. */
    public static <T> T call(RoutingContext context, Callable<T> work) throws Exception {
        Binding binding = bind(context);
        try {
            return work.call();
        } finally {
            binding.close();
        }
    }

    /** Runs {@code work} with {@code context} bound. */
    public static void run(RoutingContext context, Runnable work) {
        Binding binding = bind(context);
        try {
            work.run();
        } finally {
            binding.close();
        }
    }

    /** {@code work}, made to run in the context bound now (if any), on whatever thread runs it. */
    public static Runnable wrap(Runnable work) {
        RoutingContext context = CURRENT.get();
        return context == null ? work : () -> run(context, work);
    }

    /** {@code work}, made to run in the context bound now (if any), on whatever thread runs it. */
    public static <T> Callable<T> wrap(Callable<T> work) {
        RoutingContext context = CURRENT.get();
        return context == null ? work : () -> call(context, work);
    }

    /** An executor that runs each task in the context bound when the task was submitted. */
    public static Executor propagating(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return task -> executor.execute(wrap(task));
    }
}
