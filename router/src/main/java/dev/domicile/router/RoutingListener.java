package dev.domicile.router;

/**
 * Told of every routing decision. Called on the thread that binds the connection, before its first statement runs:
 * keep it fast and never throw (a throwing listener is logged and ignored). A decision equal to an earlier one (same
 * endpoint, reason, token outcome, partition, map version, epoch, intent and consistency, no lag and no wait) may be
 * the same instance: the router reuses it instead of allocating one per borrow.
 */
@FunctionalInterface
public interface RoutingListener {

    void onDecision(RoutingDecision decision);
}
