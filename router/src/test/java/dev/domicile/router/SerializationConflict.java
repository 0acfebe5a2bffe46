package dev.domicile.router;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A real serialization conflict, on PostgreSQL or CockroachDB: an increment of a counter row read in a SERIALIZABLE
 * transaction, during which (on the first {@code interferences} attempts) another SERIALIZABLE transaction on its own
 * connection increments the same row and commits. The database then fails the first transaction with SQLState 40001.
 * The attempt owns its transaction, as {@link Retry} requires.
 */
final class SerializationConflict {

    static final String CREATE = "CREATE TABLE IF NOT EXISTS counters (id INT PRIMARY KEY, n INT NOT NULL)";

    private final DataSource routed;
    private final Callable<Connection> direct;
    private final int interferences;
    final AtomicInteger attempts = new AtomicInteger();

    /**
     * @param routed        where the increments under test go (a {@link RoutingDataSource})
     * @param direct        opens the interfering connection, straight to the same database
     * @param interferences how many attempts, from the first, meet an interfering commit
     */
    SerializationConflict(DataSource routed, Callable<Connection> direct, int interferences) {
        this.routed = routed;
        this.direct = direct;
        this.interferences = interferences;
    }

    static void reset(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(CREATE);
            s.execute("DELETE FROM counters");
            s.execute("INSERT INTO counters VALUES (1, 0)");
        }
    }

    static int value(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT n FROM counters WHERE id = 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** One attempt: read, maybe interfere, write what was read plus one, commit. Returns the value written. */
    int increment() throws Exception {
        int attempt = attempts.incrementAndGet();
        try (Connection c = routed.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            try {
                int read = value(c);
                if (attempt <= interferences) {
                    interfere();
                }
                try (PreparedStatement update = c.prepareStatement("UPDATE counters SET n = ? WHERE id = 1")) {
                    update.setInt(1, read + 1);
                    update.executeUpdate();
                }
                c.commit();
                return read + 1;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Plain JDBC in an unchecked wrapper, as frameworks throw it (e.g. jOOQ's DataAccessException). */
    void incrementUnchecked() {
        try {
            increment();
        } catch (Exception e) {
            throw new IllegalStateException("increment failed", e);
        }
    }

    private void interfere() throws Exception {
        try (Connection other = direct.call()) {
            other.setAutoCommit(false);
            other.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            int read = value(other);
            try (PreparedStatement update = other.prepareStatement("UPDATE counters SET n = ? WHERE id = 1")) {
                update.setInt(1, read + 1);
                update.executeUpdate();
            }
            other.commit();
        }
    }
}
