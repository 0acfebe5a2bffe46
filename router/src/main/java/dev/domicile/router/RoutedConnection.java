package dev.domicile.router;

import java.sql.Connection;
import java.util.Optional;

/**
 * The connection a {@link RoutingDataSource} hands out ({@code connection.unwrap(RoutedConnection.class)}). It binds
 * to a physical connection at its first statement, so that a read-only flag set after {@code getConnection()} (as
 * frameworks do) still routes the connection as a read; it never changes its physical connection inside a
 * transaction, and may between transactions when the read-only flag changes.
 */
public interface RoutedConnection extends Connection {

    /** The decision of the current binding; empty before the first statement. */
    Optional<RoutingDecision> decision();

    /**
     * Overrides the routing context's consistency for reads on this connection from its next binding on (null
     * restores the context's). Outside a transaction a bound read connection is released and binds again.
     *
     * @throws java.sql.SQLException if closed, or inside a transaction of a read connection
     */
    void consistency(Consistency override) throws java.sql.SQLException;
}
