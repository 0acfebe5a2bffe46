package dev.domicile.authority;

/**
 * Told of every {@link FailoverEvent} of a {@link FailoverCoordinator}, on the coordinator's threads. Must be
 * thread-safe and return quickly; an exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface FailoverListener {

    void onEvent(FailoverEvent event);
}
