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
 * <p>The SQL lives in {@code fence-v1.sql} to {@code fence-v3.sql} (install steps applied in order from the
 * version recorded in {@code domicile.schema_version}, each idempotent) and {@code fence-uninstall.sql} (rollback)
 * beside this class. A writer stamps its session with {@link #stampSql(long)} (once per connection and epoch, not
 * per transaction); a statement-level trigger on every fenced table compares it with the epoch in force, kept in
 * the sequence {@code domicile.fence_epoch} (read without a query) and copied to the row of {@code domicile.fence}. Concurrent writers take a shared advisory lock and never block each
 * other; {@link #bump} takes it exclusively, so it waits for every transaction that already wrote, and then no
 * transaction of an older epoch can write again. That trigger costs about a fifth of a single-row INSERT's
 * throughput; {@link #usePrivileges} switches a database to the privileges mode, which enforces the same rule with
 * PostgreSQL's own privilege check and costs nothing measurable per statement (see the module README).
 *
 * <p>Stateless; all methods run on the caller's connection and commit what they change.
 */
public final class Fence {

    /** The schema version {@link #install} brings a database to. */
    public static final int VERSION = 3;

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
        applyScriptsAbove(connection, installedVersion(connection));
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

    /** Runs the install scripts above {@code installed}, in order. */
    private static void applyScriptsAbove(Connection connection, int installed) throws SQLException {
        for (int version = installed + 1; version <= VERSION; version++) {
            runScript(connection, "fence-v" + version + ".sql");
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
        callWith(connection, "SELECT domicile.fence_table(?::regclass)", table);
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
     * epoch can neither commit nor block the new owner. In {@linkplain #usePrivileges privileges mode} the bump takes
     * SHARE locks on every fenced table (waiting for every transaction writing one, and holding off new writers until
     * it commits) and takes the write privileges of every epoch role below {@code epoch}. A fence of an older version
     * is upgraded first (its epoch kept).
     *
     * @return the epoch in force afterwards (equal to {@code epoch})
     * @throws SQLException with SQLSTATE {@code DM003} if {@code epoch} is lower than the fence's
     */
    public static long bump(Connection connection, long epoch, Duration waitForWriters) throws SQLException {
        // A fence installed by an older version (an old primary that returns, say) is brought up to this one first.
        int installed = installedVersion(connection);
        if (installed > 0 && installed < VERSION) {
            applyScriptsAbove(connection, installed);
            commitIfManual(connection);
        }
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
                if (!LOCK_TIMEOUT.equals(e.getSQLState()) && !DEADLOCK.equals(e.getSQLState())) {
                    throw e;
                }
                s.execute("ROLLBACK TO SAVEPOINT bump");
            }
            // Writers of the old epoch outstayed the wait: end them (domicile.end_writers: in trigger mode the
            // holders of the shared lock whose transaction began before this bump, in privileges mode every holder
            // of a write lock on a fenced table), then take the locks without a timeout. Writers that arrive now
            // queue behind this bump and meet the new epoch once it is in force.
            s.execute("SET LOCAL lock_timeout = 0");
            s.executeQuery("SELECT domicile.end_writers()").close();
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

    private static final String LOCK_TIMEOUT = "55P03";
    private static final String DEADLOCK = "40P01";

    private static long bumpOnce(Connection connection, long epoch) throws SQLException {
        try (Statement lock = connection.createStatement()) {
            lock.executeQuery("SELECT domicile.lock_fenced_tables()").close();
        }
        try (PreparedStatement s = connection.prepareStatement("SELECT domicile.bump_epoch(?)")) {
            s.setLong(1, epoch);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The statement that stamps a session with {@code epoch}; run it when a connection's epoch changes (not per
     * transaction). It sets {@code domicile.epoch} and, where the database's fence is in
     * {@linkplain #usePrivileges privileges mode}, switches the session to the epoch's role ({@code SET ROLE}),
     * opening that role if the epoch is new; there an epoch below the fence is refused at once (SQLSTATE
     * {@value #STALE_EPOCH}). Harmless on a database without the fence.
     */
    public static String stampSql(long epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, was " + epoch);
        }
        // Nested IFs: PL/pgSQL parses an expression when it first runs it, so domicile.fence is named only where
        // the fence (version 3) is installed.
        return "DO $stamp$BEGIN PERFORM set_config('domicile.epoch', '" + epoch + "', false);"
                + " IF to_regprocedure('domicile.stamp_role(bigint)') IS NOT NULL THEN"
                + " IF EXISTS (SELECT 1 FROM domicile.fence WHERE mode = 'privileges') THEN"
                + " PERFORM set_config('role', domicile.stamp_role(" + epoch + "), false); END IF; END IF; END$stamp$";
    }

    /**
     * Switches this database's fence to privileges mode: from now on only the role of an epoch at or above the
     * fence may write a fenced table (besides its owner and superusers, whom routers must not log in as), and
     * PostgreSQL's own privilege check, made for every statement anyway, is the whole fence: no trigger runs.
     * Idempotent.
     *
     * <p>Requirements: {@code baseRole} holds the application's privileges (every epoch role inherits them; it
     * loses its write privileges on fenced tables) and is not the role routers log in as; routers log in as a role
     * that is a member of {@link #writersRole} (or as a superuser) and holds no write privilege on fenced tables of
     * its own; the role running the install may create roles. A writer fenced while its session was stamped gets
     * SQLSTATE {@code 42501} (permission denied) from its next write; its next stamp gets {@value #STALE_EPOCH}.
     * To go back to trigger mode, {@link #uninstall} and install again.
     *
     * @throws SQLException if the fence is not installed, the role does not exist, or the fence already uses
     *                      another base role ({@code DM004})
     */
    public static void usePrivileges(Connection connection, String baseRole) throws SQLException {
        Objects.requireNonNull(baseRole, "baseRole");
        callWith(connection, "SELECT domicile.use_privileges(?::name)", baseRole);
    }

    /** Whether this database's fence is in {@linkplain #usePrivileges privileges mode}. */
    public static boolean usesPrivileges(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT mode = 'privileges' FROM domicile.fence")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /**
     * The group role of this database whose members may stamp themselves with an epoch role (privileges mode);
     * grant it to the role routers log in as.
     */
    public static String writersRole(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT domicile.writers_role()")) {
            rs.next();
            return rs.getString(1);
        }
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

    /** Runs {@code sql} with one text parameter, then commits if the connection does not. */
    private static void callWith(Connection connection, String sql, String argument) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setString(1, argument);
            s.execute();
        }
        commitIfManual(connection);
    }

    private static void commitIfManual(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }
}
