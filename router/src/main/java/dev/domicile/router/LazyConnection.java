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
 * <p>Not thread-safe, like any JDBC connection, except {@link #abortForAuthority}. Kept small (its fields are the
 * only allocation of a borrow beyond the pool's own, unless the caller overrides the consistency or the isolation
 * level): the binder attaches the physical connection and the decision.
 */
final class LazyConnection extends ForwardingConnection implements RoutedConnection {

    private static final String CURRENT_LSN = "SELECT pg_current_wal_lsn()::text";

    private final Binder binder;
    private final RoutingContext context;
    private volatile String abortReason;
    /** The physical connection, null while unbound; set together with {@link #decision}. */
    private Connection physical;
    private RoutingDecision decision;
    /**
     * What the caller set that is rarely set, in one field so that the usual borrow allocates a smaller connection.
     * Setting only the read-only flag (as frameworks and {@code DomicileExecuteListener} do) allocates nothing.
     */
    private Settings settings = Settings.NONE;
    private boolean autoCommit = true;
    private boolean transactionOpen;
    private boolean wroteInAutoCommit;
    private boolean closed;

    /**
     * The read-only flag, consistency override and isolation level the caller set, each null while unset.
     * Immutable: a setter replaces it.
     */
    private record Settings(Boolean readOnly, Consistency consistency, Integer isolation) {
        static final Settings NONE = new Settings(null, null, null);
        private static final Settings READ_ONLY = new Settings(true, null, null);
        private static final Settings WRITABLE = new Settings(false, null, null);

        /** These settings with the read-only flag set; allocates nothing when only the flag was ever set. */
        Settings readOnly(boolean value) {
            if (readOnly != null && readOnly == value) {
                return this;
            }
            if (consistency == null && isolation == null) {
                return value ? READ_ONLY : WRITABLE;
            }
            return new Settings(value, consistency, isolation);
        }

        Settings consistency(Consistency value) {
            return java.util.Objects.equals(value, consistency) ? this : new Settings(readOnly, value, isolation);
        }

        Settings isolation(int value) {
            return isolation != null && isolation == value ? this : new Settings(readOnly, consistency, value);
        }
    }

    LazyConnection(Binder binder, RoutingContext context) {
        this.binder = binder;
        this.context = context;
    }

    private Intent intent() {
        Boolean readOnly = settings.readOnly();
        if (readOnly != null) {
            return readOnly ? Intent.READ : Intent.WRITE;
        }
        return context != null && context.intent() != null ? context.intent() : Intent.WRITE;
    }

    @Override
    Connection target() throws SQLException {
        checkOpen();
        Connection current = physical;
        return current != null ? current : bind();
    }

    private Connection bind() throws SQLException {
        binder.bind(this, context, intent(), settings.consistency());
        Connection fresh = physical;
        try {
            if (!autoCommit) {
                fresh.setAutoCommit(false);
            }
            Integer isolation = settings.isolation();
            if (isolation != null) {
                fresh.setTransactionIsolation(isolation);
            }
        } catch (SQLException e) {
            physical = null;
            decision = null;
            Binder.closeQuietly(fresh);
            throw e;
        }
        if (binder.fenced() && decision.intent() == Intent.WRITE) {
            binder.openWrites().add(decision.partition(), this);
        }
        return fresh;
    }

    /** Called by the binder once it borrowed {@code connection} for {@code why}. */
    void attach(Connection connection, RoutingDecision why) {
        physical = connection;
        decision = why;
    }

    /**
     * Aborts the physical connection because authority over its partition was lost; any transaction on it rolls
     * back and every later call fails. May be called from any thread. Returns whether anything was aborted.
     */
    boolean abortForAuthority(String reason) {
        Connection current = physical;
        RoutingDecision why = decision;
        if (closed || current == null || why == null) {
            return false;
        }
        abortReason = "aborted: authority over partition " + why.partition() + " was lost (" + reason + ")";
        try {
            current.abort(Runnable::run);
        } catch (SQLException e) {
            // the connection is unusable either way; the reason is reported on its next use
        }
        return true;
    }

    private void unregister(RoutingDecision why) {
        if (binder.fenced() && why.intent() == Intent.WRITE) {
            binder.openWrites().remove(why.partition(), this);
        }
    }

    @Override
    Connection statementTarget() throws SQLException {
        // Bound, open and not aborted: the statement goes straight to the physical connection.
        Connection target = physical;
        if (target == null || closed || abortReason != null) {
            target = target();
        }
        if (!autoCommit) {
            transactionOpen = true;
        } else if (decision.intent() == Intent.WRITE) {
            wroteInAutoCommit = true;
        }
        return target;
    }

    @Override
    public Optional<RoutingDecision> decision() {
        return Optional.ofNullable(decision);
    }

    @Override
    public void consistency(Consistency override) throws SQLException {
        checkOpen();
        if (physical != null && !java.util.Objects.equals(override, settings.consistency())
                && decision.intent() == Intent.READ) {
            if (transactionOpen) {
                throw new SQLException("cannot change the consistency inside a transaction; the connection is bound"
                        + " to " + decision.endpoint(), "25001");
            }
            release();
        }
        settings = settings.consistency(override);
    }

    @Override
    public void setReadOnly(boolean value) throws SQLException {
        checkOpen();
        Intent wanted = value ? Intent.READ : Intent.WRITE;
        if (physical != null && decision.intent() != wanted) {
            if (transactionOpen) {
                throw new SQLException("cannot change the read-only flag inside a transaction; the connection is"
                        + " bound to " + decision.endpoint() + " for a " + decision.intent(), "25001");
            }
            release();
        }
        settings = settings.readOnly(value);
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return intent() == Intent.READ;
    }

    @Override
    public void setAutoCommit(boolean value) throws SQLException {
        checkOpen();
        if (physical != null) {
            boolean committing = value && !autoCommit && transactionOpen;
            physical.setAutoCommit(value);
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
        if (physical != null) {
            physical.setTransactionIsolation(level);
        }
        settings = settings.isolation(level);
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        return physical != null ? physical.getTransactionIsolation()
                : settings.isolation() != null ? settings.isolation() : Connection.TRANSACTION_READ_COMMITTED;
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        if (physical != null) {
            physical.commit();
            if (transactionOpen) {
                afterCommit();
            }
        }
        transactionOpen = false;
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        if (physical != null) {
            physical.rollback();
        }
        transactionOpen = false;
    }

    private void afterCommit() throws SQLException {
        transactionOpen = false;
        if (decision.intent() == Intent.WRITE) {
            recordToken(physical, decision);
        }
    }

    private void recordToken(Connection target, RoutingDecision why) throws SQLException {
        if (context == null || !binder.tracksTokens()) {
            return;
        }
        binder.routerStatement();
        try (Statement statement = target.createStatement(); ResultSet rs = statement.executeQuery(CURRENT_LSN)) {
            rs.next();
            context.advance(why.partition(), Lsns.parse(rs.getString(1)));
        }
    }

    /** Returns the physical connection to its pool; the next statement binds again. */
    private void release() throws SQLException {
        Connection current = physical;
        unregister(decision);
        physical = null;
        decision = null;
        wroteInAutoCommit = false;
        transactionOpen = false;
        current.close();
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        Connection current = physical;
        if (current == null) {
            return;
        }
        RoutingDecision why = decision;
        unregister(why);
        if (abortReason != null) {
            physical = null;
            decision = null;
            Binder.closeQuietly(current);
            return;
        }
        try {
            if (wroteInAutoCommit && autoCommit) {
                recordToken(current, why);
            }
        } finally {
            physical = null;
            decision = null;
            current.close();
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
        return !closed && (physical == null || physical.isValid(timeoutSeconds));
    }

    @Override
    public java.sql.SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return physical == null ? null : physical.getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        if (physical != null) {
            physical.clearWarnings();
        }
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        if (executor == null) {
            throw new SQLException("executor is null");
        }
        if (closed) {
            return;
        }
        closed = true;
        Connection current = physical;
        if (current != null) {
            unregister(decision);
            physical = null;
            decision = null;
            // The pool's proxy stays borrowed until closed: close it once the driver's abort has run (the pool then
            // evicts the dead connection), on the caller's executor, so that no live connection returns to the pool;
            // at once if the driver had nothing to abort.
            boolean[] handedOver = {false};
            try {
                current.abort(task -> {
                    handedOver[0] = true;
                    executor.execute(() -> {
                        try {
                            task.run();
                        } finally {
                            Binder.closeQuietly(current);
                        }
                    });
                });
            } catch (SQLException | RuntimeException e) {
                Binder.closeQuietly(current);
                throw e;
            }
            if (!handedOver[0]) {
                Binder.closeQuietly(current);
            }
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
        return "RoutedConnection[" + (physical == null ? "unbound" : decision) + (closed ? ", closed" : "")
                + "]";
    }
}
