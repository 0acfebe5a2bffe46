package dev.domicile.authority;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Failover} or {@link Switchover} turns a partition's candidate database into its writable primary. The
 * default, {@link #pgPromote()}, calls PostgreSQL's {@code pg_promote}; supply another where the database is promoted
 * by something else (a managed service's API, a cluster manager such as Patroni), and have it return only once the
 * database accepts writes. Implementations must be thread-safe and may be called again for a database already being
 * promoted (a {@link Failover#resume} after a failure).
 */
public interface Promoter {

    /** PostgreSQL's {@code pg_promote(wait => true)}, waiting up to 60 s. */
    static Promoter pgPromote() {
        return PgPromote.DEFAULT;
    }

    /**
     * PostgreSQL's {@code pg_promote(wait => true)}, waiting up to {@code timeout} (whole seconds, at least 1).
     *
     * @throws IllegalArgumentException if the timeout is below one second
     */
    static Promoter pgPromote(Duration timeout) {
        return new PgPromote(timeout);
    }

    /**
     * Whether {@code connection}'s database must still be promoted before it can be the partition's primary. The
     * default asks PostgreSQL whether it is in recovery ({@code pg_is_in_recovery()}).
     */
    default boolean needsPromotion(Connection connection) throws SQLException {
        return Wal.inRecovery(connection);
    }

    /**
     * Promotes the database and returns once it accepts writes.
     *
     * @param database   the database, as named in the failover or switchover request
     * @param connection an open connection to it (the caller closes it)
     * @throws SQLException if it cannot be promoted (the failover then stays FENCING, the switchover aborts)
     */
    void promote(Failover.Database database, Connection connection) throws SQLException;

    /** {@code pg_promote(true, seconds)}. */
    record PgPromote(Duration timeout) implements Promoter {

        static final PgPromote DEFAULT = new PgPromote(Duration.ofSeconds(60));

        public PgPromote {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.getSeconds() < 1) {
                throw new IllegalArgumentException("promotion timeout " + timeout + " is invalid: pg_promote waits"
                        + " whole seconds, at least 1");
            }
        }

        @Override
        public void promote(Failover.Database database, Connection connection) throws SQLException {
            long seconds = Math.min(timeout.getSeconds(), Integer.MAX_VALUE);
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_promote(true, " + seconds + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new SQLException(database.name() + " did not finish promotion within " + seconds + " s");
                }
            }
        }
    }
}
