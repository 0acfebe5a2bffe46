package dev.domicile.sample;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the demo has started, closed exactly once from whichever thread gets there first (the main thread with
 * {@code --exit}, else the shutdown hook on Ctrl-C), in reverse order of start: the edge and the services first, the
 * topology last. A failure to close one does not keep the others running. Something started after close is closed at
 * once. Thread-safe.
 */
final class DemoResources implements AutoCloseable {

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private boolean closed;

    /** Takes {@code resource} into care and returns it; closes it and throws if the demo is already stopping. */
    synchronized <T extends AutoCloseable> T add(T resource) {
        if (closed) {
            closeQuietly(resource);
            throw new IllegalStateException("the demo is stopping");
        }
        started.push(resource);
        return resource;
    }

    /** Closes everything, newest first; failures are printed, not thrown, so that everything gets closed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!started.isEmpty()) {
            closeQuietly(started.pop());
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("Domicile demo: could not close " + resource + ": " + e);
        }
    }
}
