package dev.domicile.router.jooq;

import dev.domicile.router.Consistency;
import dev.domicile.router.Intent;
import dev.domicile.router.RoutedConnection;
import dev.domicile.router.Routing;
import dev.domicile.router.RoutingContext;
import dev.domicile.router.RoutingDataSource;
import java.io.Serial;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.jooq.Configuration;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.ExecuteListenerProvider;
import org.jooq.ExecuteType;
import org.jooq.exception.DataAccessException;

/**
 * Declares each jOOQ statement's intent on the {@link RoutedConnection} it runs on, before the statement is prepared
 * (the connection binds to an endpoint at that moment):
 *
 * <ul>
 *   <li>In auto-commit mode, a plain query is a read ({@code setReadOnly(true)}) and everything else is a write
 *       ({@code setReadOnly(false)}): DML, also with {@code RETURNING}, {@code SELECT ... FOR UPDATE} and the other
 *       locking clauses, DDL, batches, routines and unrecognised plain SQL ({@link StatementIntent} has the rule).</li>
 *   <li>Inside a transaction (auto-commit off, e.g. {@code dsl.transaction(...)}) it leaves the flag alone: a
 *       transaction cannot change endpoints, and jOOQ cannot know its later statements, so it routes as the routing
 *       context declares, else as a write, and stays on the primary for its reads too.</li>
 *   <li>When the routing context bound to the thread declares an intent ({@code router.forUser(key).intent(...)}),
 *       that declaration wins and the listener leaves the flag alone.</li>
 *   <li>A consistency override from {@link DomicileJooq#withConsistency} is applied with
 *       {@link RoutedConnection#consistency(Consistency)}, in and out of transactions.</li>
 * </ul>
 *
 * <p>Meant for DSLContexts over a {@link RoutingDataSource}, which give every query, or every transaction, a routed
 * connection of its own ({@link DomicileJooq#using}). Over a single routed connection ({@code DSL.using(connection)})
 * the flag and override set for one statement stay on that connection until the next statement sets them, so a
 * transaction begun on it after an auto-commit read starts as a read: set the flag, or declare the intent, before
 * such a transaction. Stateless and thread-safe.
 *
 * <p>Its callbacks fail the statement with a {@link DataAccessException} if the connection does not come from a
 * {@link RoutingDataSource}, or if the router refuses the change (a different consistency inside an open read
 * transaction). Routing errors themselves (no routing context, every endpoint down) surface when the statement is
 * prepared, as jOOQ's {@link DataAccessException} around the router's {@link SQLException}.
 */
public final class DomicileExecuteListener implements ExecuteListener {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Batches bind their connection right after this event (before {@code prepareStart}), so they route here. */
    @Override
    public void start(ExecuteContext ctx) {
        if (ctx.type() == ExecuteType.BATCH) {
            route(ctx);
        }
    }

    /** The earliest event where the SQL is rendered and the connection acquired but not yet used. */
    @Override
    public void prepareStart(ExecuteContext ctx) {
        route(ctx);
    }

    private static void route(ExecuteContext ctx) {
        Connection connection = ctx.connection();
        if (connection == null) {
            return; // a detached query: jOOQ reports that itself
        }
        try {
            RoutedConnection routed = routed(connection);
            Optional<Consistency> override = DomicileJooq.consistency(ctx.configuration());
            if (override.isPresent()) {
                routed.consistency(override.get());
            }
            if (routed.getAutoCommit() && !intentDeclared()) {
                routed.setReadOnly(StatementIntent.of(ctx) == Intent.READ);
            }
        } catch (SQLException e) {
            String statement = ctx.sql() != null ? " [" + ctx.sql() + "]" : "";
            throw new DataAccessException("Domicile could not route the jOOQ statement" + statement + ": "
                    + e.getMessage(), e);
        }
    }

    private static RoutedConnection routed(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(RoutedConnection.class)) {
            throw new DataAccessException("DomicileExecuteListener routes connections of a RoutingDataSource, but"
                    + " this DSLContext's connection is a " + connection.getClass().getName() + ": build the"
                    + " DSLContext with DomicileJooq.using(routingDataSource)");
        }
        return connection.unwrap(RoutedConnection.class);
    }

    private static boolean intentDeclared() {
        return Routing.current().map(RoutingContext::intent).isPresent();
    }

    /** Whether {@code configuration} runs this listener. */
    static boolean isInstalled(Configuration configuration) {
        for (ExecuteListenerProvider provider : configuration.executeListenerProviders()) {
            if (provider.provide() instanceof DomicileExecuteListener) {
                return true;
            }
        }
        return false;
    }
}
