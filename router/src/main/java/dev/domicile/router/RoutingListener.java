package dev.domicile.router;

/**
 * Told of every routing decision. Called on the thread that binds the connection, before its first statement runs:
 * keep it fast and never throw (a throwing listener is logged and ignored).
 */
@FunctionalInterface
public interface RoutingListener {

    void onDecision(RoutingDecision decision);
}
