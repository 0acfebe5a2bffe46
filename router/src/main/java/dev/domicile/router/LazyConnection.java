package dev.domicile.router;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * A logical connection that binds to a physical one (through {@link Binder}) when first needed.
 *
 * <p>Intent is, in order: the read-only flag if the caller set one, the routing context's intent, else WRITE.
 * Auto-commit and isolation set before binding are applied to the physical connection when it binds. Committing a
 * write transaction, or closing a write connection used in auto-commit mode, records the primary's WAL position as
 * the context's causal token (one extra statement per write transaction, none per read).
 *
 * <p>Not thread-safe, like any JDBC connection.
 */
final class LazyConnection extends ForwardingConnection implements RoutedConnection {

    private static final String CURRENT_LSN = "SELECT pg_current_wal_lsn()::text";

    private final Binder binder;
    private final RoutingContext context;
    private final OpenWrites openWrites;
    private volatile String abortReason;
    private Binder.Bound bound;
    private Boolean readOnly;
    private Consistency consistency;
    private boolean autoCommit = true;
    private Integer isolation;
    private boolean transactionOpen;
    private boolean wroteInAutoCommit;
    private boolean closed;

    LazyConnection(Binder binder, RoutingContext context, OpenWrites openWrites) {
        this.binder = binder;
        this.context = context;
        this.openWrites = openWrites;
    }

    private Intent intent() {
        if (readOnly != null) {
            return readOnly ? Intent.READ : Intent.WRITE;
        }
        return context != null && context.intent() != null ? context.intent() : Intent.WRITE;
    }

    @Override
    Connection target() throws SQLException {
        checkOpen();
        if (bound == null) {
            Binder.Bound fresh = binder.bind(context, intent(), consistency);
            try {
                if (!autoCommit) {
                    fresh.connection().setAutoCommit(false);
                }
                if (isolation != null) {
                    fresh.connection().setTransactionIsolation(isolation);
                }
            } catch (SQLException e) {
                Binder.closeQuietly(fresh.connection());
                throw e;
            }
            bound = fresh;
            if (binder.fenced() && fresh.decision().intent() == Intent.WRITE) {
                openWrites.add(fresh.endpoint().partition(), this);
            }
        }
        return bound.connection();
    }

    /**
     * Aborts the physical connection because authority over its partition was lost; any transaction on it rolls
     * back and every later call fails. May be called from any thread. Returns whether anything was aborted.
     */
    boolean abortForAuthority(String reason) {
        Binder.Bound current = bound;
        if (closed || current == null) {
            return false;
        }
        abortReason = "aborted: authority over partition " + current.endpoint().partition() + " was lost ("
                + reason + ")";
        try {
            current.connection().abort(Runnable::run);
        } catch (SQLException e) {
            // the connection is unusable either way; the reason is reported on its next use
        }
        return true;
    }

    private void unregister(Binder.Bound current) {
        if (binder.fenced() && current.decision().intent() == Intent.WRITE) {
            openWrites.remove(current.endpoint().partition(), this);
        }
    }

    @Override
    Connection statementTarget() throws SQLException {
        Connection physical = target();
        if (!autoCommit) {
            transactionOpen = true;
        } else if (bound.decision().intent() == Intent.WRITE) {
            wroteInAutoCommit = true;
        }
        return physical;
    }

    @Override
    public Optional<RoutingDecision> decision() {
        return bound == null ? Optional.empty() : Optional.of(bound.decision());
    }

    @Override
    public void consistency(Consistency override) throws SQLException {
        checkOpen();
        if (bound != null && !java.util.Objects.equals(override, consistency)
                && bound.decision().intent() == Intent.READ) {
            if (transactionOpen) {
                throw new SQLException("cannot change the consistency inside a transaction; the connection is bound"
                        + " to " + bound.endpoint().name(), "25001");
            }
            release();
        }
        consistency = override;
    }

    @Override
    public void setReadOnly(boolean value) throws SQLException {
        checkOpen();
        Intent wanted = value ? Intent.READ : Intent.WRITE;
        if (bound != null && bound.decision().intent() != wanted) {
            if (transactionOpen) {
                throw new SQLException("cannot change the read-only flag inside a transaction; the connection is"
                        + " bound to " + bound.endpoint().name() + " for a " + bound.decision().intent(), "25001");
            }
            release();
        }
        readOnly = value;
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return intent() == Intent.READ;
    }

    @Override
    public void setAutoCommit(boolean value) throws SQLException {
        checkOpen();
        if (bound != null) {
            boolean committing = value && !autoCommit && transactionOpen;
            bound.connection().setAutoCommit(value);
            if (committing) {
                afterCommit();
            }
        }
        autoCommit = value;
        if (value) {
            transactionOpen = false;
        }
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit;
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        if (bound != null) {
            bound.connection().setTransactionIsolation(level);
        }
        isolation = level;
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        return bound != null ? bound.connection().getTransactionIsolation()
                : isolation != null ? isolation : Connection.TRANSACTION_READ_COMMITTED;
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        if (bound != null) {
            bound.connection().commit();
            if (transactionOpen) {
                afterCommit();
            }
        }
        transactionOpen = false;
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        if (bound != null) {
            bound.connection().rollback();
        }
        transactionOpen = false;
    }

    private void afterCommit() throws SQLException {
        transactionOpen = false;
        if (bound.decision().intent() == Intent.WRITE) {
            recordToken(bound.connection());
        }
    }

    private void recordToken(Connection physical) throws SQLException {
        if (context == null || !binder.tracksTokens()) {
            return;
        }
        binder.routerStatement();
        try (Statement statement = physical.createStatement(); ResultSet rs = statement.executeQuery(CURRENT_LSN)) {
            rs.next();
            context.advance(bound.endpoint().partition(), Lsns.parse(rs.getString(1)));
        }
    }

    /** Returns the physical connection to its pool; the next statement binds again. */
    private void release() throws SQLException {
        Binder.Bound current = bound;
        unregister(current);
        bound = null;
        wroteInAutoCommit = false;
        transactionOpen = false;
        current.connection().close();
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        Binder.Bound current = bound;
        if (current == null) {
            return;
        }
        unregister(current);
        if (abortReason != null) {
            bound = null;
            Binder.closeQuietly(current.connection());
            return;
        }
        try {
            if (wroteInAutoCommit && autoCommit) {
                recordToken(current.connection());
            }
        } finally {
            bound = null;
            current.connection().close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isValid(int timeoutSeconds) throws SQLException {
        if (timeoutSeconds < 0) {
            throw new SQLException("timeout must not be negative, was " + timeoutSeconds);
        }
        return !closed && (bound == null || bound.connection().isValid(timeoutSeconds));
    }

    @Override
    public java.sql.SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return bound == null ? null : bound.connection().getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        if (bound != null) {
            bound.connection().clearWarnings();
        }
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        Binder.Bound current = bound;
        if (current != null) {
            unregister(current);
            current.connection().abort(executor);
            bound = null;
        }
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return target().unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || target().isWrapperFor(type);
    }

    private void checkOpen() throws SQLException {
        String aborted = abortReason;
        if (aborted != null) {
            throw new SQLException(aborted, "08006");
        }
        if (closed) {
            throw new SQLException("connection is closed", "08003");
        }
    }

    @Override
    public String toString() {
        return "RoutedConnection[" + (bound == null ? "unbound" : bound.decision()) + (closed ? ", closed" : "")
                + "]";
    }
}
