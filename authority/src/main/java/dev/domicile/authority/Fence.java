package dev.domicile.authority;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;

/**
 * The database side of authority: a fence in each PostgreSQL database of a partition that refuses writes stamped
 * with an epoch older than the partition's current one, so a writer that lost authority is stopped by the database
 * itself even if it never learns it lost.
 *
 * <p>The SQL lives in {@code fence-v1.sql} and {@code fence-v2.sql} (install steps applied in order from the
 * version recorded in {@code domicile.schema_version}, each idempotent) and {@code fence-uninstall.sql} (rollback)
 * beside this class. A writer stamps its session with {@link #stampSql(long)} (once per connection and epoch, not
 * per transaction); a statement-level trigger on every fenced table compares it with the epoch in force, kept in
 * the sequence {@code domicile.fence_epoch} (read without a query) and copied to the row of {@code domicile.fence}. Concurrent writers take a shared advisory lock and never block each
 * other; {@link #bump} takes it exclusively, so it waits for every transaction that already wrote, and then no
 * transaction of an older epoch can write again.
 *
 * <p>Stateless; all methods run on the caller's connection and commit what they change.
 */
public final class Fence {

    /** The schema version {@link #install} brings a database to. */
    public static final int VERSION = 2;

    /**
     * The fence epoch of a retired database (an old primary after a switchover or failover): no writer ever carries
     * it, so the database refuses every write until it is rebuilt as a replica of the new primary.
     */
    public static final long RETIRED = Long.MAX_VALUE;

    /** SQLSTATE of a write refused for its stale or missing epoch. */
    public static final String STALE_EPOCH = "DM001";

    private Fence() {
    }

    /**
     * Installs (or re-installs) the fence and sets the partition's epoch if the database has none yet.
     *
     * @param partition    the partition this database holds
     * @param initialEpoch the epoch in force if the fence is new; an existing fence keeps its (higher) epoch
     * @return the epoch in force afterwards
     * @throws SQLException if the SQL fails, or the database already holds another partition
     */
    public static long install(Connection connection, String partition, long initialEpoch) throws SQLException {
        Objects.requireNonNull(partition, "partition");
        if (initialEpoch < 0) {
            throw new IllegalArgumentException("initialEpoch must be >= 0, was " + initialEpoch);
        }
        int installed = installedVersion(connection);
        for (int version = installed + 1; version <= VERSION; version++) {
            runScript(connection, "fence-v" + version + ".sql");
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO domicile.fence (partition, epoch) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, partition);
            insert.setLong(2, initialEpoch);
            insert.executeUpdate();
        }
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT partition, domicile.sync_epoch() FROM domicile.fence")) {
            rs.next();
            if (!rs.getString(1).equals(partition)) {
                throw new SQLException("this database is fenced for partition " + rs.getString(1) + ", not "
                        + partition, "DM004");
            }
            return rs.getLong(2);
        } finally {
            commitIfManual(connection);
        }
    }

    /** Removes the fence from every table and drops its schema: writes are no longer fenced. */
    public static void uninstall(Connection connection) throws SQLException {
        runScript(connection, "fence-uninstall.sql");
        commitIfManual(connection);
    }

    /** The installed schema version, 0 if the fence is not installed. */
    public static int installedVersion(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('domicile.schema_version') IS NULL")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM domicile.schema_version")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Puts {@code table} (a name as SQL would resolve it, e.g. {@code public.notes}) under the fence. */
    public static void fenceTable(Connection connection, String table) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT domicile.fence_table(?::regclass)")) {
            s.setString(1, table);
            s.execute();
        }
        commitIfManual(connection);
    }

    /** The epoch the fence is at. */
    public static long epoch(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery(
                     "SELECT pg_sequence_last_value('domicile.fence_epoch'::regclass) WHERE EXISTS"
                             + " (SELECT 1 FROM domicile.fence)")) {
            if (rs.next()) {
                long epoch = rs.getLong(1);
                if (!rs.wasNull()) {
                    return epoch;
                }
            }
            throw new SQLException("the fence has no epoch; install it first", "DM002");
        }
    }

    /**
     * Raises the fence to {@code epoch} once every transaction that already wrote has ended; transactions that
     * still hold it after {@code waitForWriters} are terminated (they roll back), so a stalled writer of the old
     * epoch can neither commit nor block the new owner.
     *
     * @return the epoch in force afterwards (equal to {@code epoch})
     * @throws SQLException with SQLSTATE {@code DM003} if {@code epoch} is lower than the fence's
     */
    public static long bump(Connection connection, long epoch, Duration waitForWriters) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute("SET LOCAL lock_timeout = " + Math.max(1, waitForWriters.toMillis()));
            // A returning old primary may still name a synchronous standby that now follows someone else: its
            // commits would wait for ever. The fence only needs to be durable here.
            s.execute("SET LOCAL synchronous_commit = local");
            try {
                s.execute("SAVEPOINT bump");
                long result = bumpOnce(connection, epoch);
                connection.commit();
                return result;
            } catch (SQLException e) {
                if (!"55P03".equals(e.getSQLState())) {
                    throw e;
                }
                s.execute("ROLLBACK TO SAVEPOINT bump");
            }
            // Writers of the old epoch outstayed the wait: end them, then take the lock without a timeout. Only
            // holders of the shared lock whose transaction began before this bump are ended (they wrote before it);
            // writers waiting for the lock, or that began since, are not: they read the new epoch once it is in force.
            s.execute("SET LOCAL lock_timeout = 0");
            s.executeQuery("SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a"
                    + " ON a.pid = l.pid WHERE l.locktype = 'advisory'"
                    + " AND l.objid = " + (ADVISORY_KEY & 0xFFFF_FFFFL) + " AND l.classid = " + (ADVISORY_KEY >>> 32)
                    + " AND l.granted AND l.mode = 'ShareLock' AND a.xact_start < now()"
                    + " AND l.pid <> pg_backend_pid()").close();
            long result = bumpOnce(connection, epoch);
            connection.commit();
            return result;
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * Retires this database: raises its fence to {@link #RETIRED} as {@link #bump} does (waiting for writers in
     * flight, ending those that outstay {@code waitForWriters}), so it refuses every write from now on. Irreversible
     * short of {@link #uninstall}; a retired old primary is rebuilt as a replica of the new one.
     */
    public static long retire(Connection connection, Duration waitForWriters) throws SQLException {
        return bump(connection, RETIRED, waitForWriters);
    }

    /** The advisory lock key of the fence (the bytes of "domicile"), as in {@code fence-v1.sql}. */
    static final long ADVISORY_KEY = 7237970109966541925L;

    private static long bumpOnce(Connection connection, long epoch) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT domicile.bump_epoch(?)")) {
            s.setLong(1, epoch);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The statement that stamps a session with {@code epoch}; run it when a connection's epoch changes. */
    public static String stampSql(long epoch) {
        return "SET domicile.epoch = '" + epoch + "'";
    }

    private static void runScript(Connection connection, String name) throws SQLException {
        String sql;
        try (InputStream in = Fence.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the class path");
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    private static void commitIfManual(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }
}
