package dev.domicile.sample;

import dev.domicile.testkit.Topology;

/**
 * What the demo has started, closed exactly once from whichever thread gets there first (the main thread with
 * {@code --exit}, else the shutdown hook on Ctrl-C): the services first, then the topology. Something started
 * after close is closed at once. Thread-safe.
 */
final class DemoResources implements AutoCloseable {

    private Topology topology;
    private Regions regions;
    private boolean closed;

    /** Takes {@code started} into care and returns it; closes it and throws if the demo is already stopping. */
    synchronized Topology topology(Topology started) {
        if (closed) {
            started.close();
            throw new IllegalStateException("the demo is stopping");
        }
        topology = started;
        return started;
    }

    /** Takes {@code started} into care and returns it; closes it and throws if the demo is already stopping. */
    synchronized Regions regions(Regions started) {
        if (closed) {
            started.close();
            throw new IllegalStateException("the demo is stopping");
        }
        regions = started;
        return started;
    }

    /** Stops the services, then the topology; a failure of the first does not keep the second running. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (regions != null) {
                regions.close();
            }
        } finally {
            if (topology != null) {
                topology.close();
            }
        }
    }
}
