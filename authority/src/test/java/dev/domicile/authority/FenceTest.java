package dev.domicile.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.TopologyExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The database fence on a real PostgreSQL: stale epochs refused, bumps wait for writers, writers run in parallel. */
class FenceTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").replicasPerSite(0).redis(false));

    private static Connection connect() throws SQLException {
        Endpoint primary = TOPOLOGY.topology().primary("eu-west");
        return TOPOLOGY.topology().connect(primary);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(String where) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notes WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A writer session stamped with {@code epoch}. */
    private static Connection writer(long epoch) throws SQLException {
        Connection c = connect();
        execute(c, Fence.stampSql(epoch));
        return c;
    }

    @BeforeEach
    void freshFence() throws SQLException {
        try (Connection c = connect()) {
            Fence.uninstall(c);
            execute(c, "DROP TABLE IF EXISTS notes");
            execute(c, "CREATE TABLE notes (id serial PRIMARY KEY, body text)");
            assertThat(Fence.installedVersion(c)).isZero();
            assertThat(Fence.install(c, "eu-west", 1)).isEqualTo(1);
            Fence.fenceTable(c, "notes");
        }
    }

    @Test
    void installIsIdempotentVersionedAndReversible() throws SQLException {
        try (Connection c = connect()) {
            assertThat(Fence.install(c, "eu-west", 0)).as("an existing fence keeps its epoch").isEqualTo(1);
            assertThat(Fence.installedVersion(c)).isEqualTo(Fence.VERSION);
            assertThatThrownBy(() -> Fence.install(c, "us-east", 1)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("fenced for partition eu-west, not us-east");
            Fence.uninstall(c);
            assertThat(Fence.installedVersion(c)).isZero();
            execute(c, Fence.stampSql(3)); // harmless without the fence
            execute(c, "INSERT INTO notes (body) VALUES ('unfenced')"); // no trigger left behind
        }
    }

    @Test
    void aWriteWithAStaleOrMissingEpochIsRefused() throws SQLException {
        try (Connection current = writer(1)) {
            execute(current, "INSERT INTO notes (body) VALUES ('epoch 1')");
        }
        try (Connection admin = connect()) {
            assertThat(Fence.bump(admin, 2, Duration.ofSeconds(5))).isEqualTo(2);
        }
        try (Connection stale = writer(1)) {
            assertThatThrownBy(() -> execute(stale, "INSERT INTO notes (body) VALUES ('stale')"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("epoch 1 is older than the fence of partition eu-west (epoch 2)")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(Fence.STALE_EPOCH));
            assertThatThrownBy(() -> execute(stale, "DELETE FROM notes")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(stale, "TRUNCATE notes")).isInstanceOf(SQLException.class);
        }
        try (Connection unstamped = connect()) {
            assertThatThrownBy(() -> execute(unstamped, "UPDATE notes SET body = 'x'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("epoch unset");
        }
        try (Connection next = writer(2)) {
            execute(next, "INSERT INTO notes (body) VALUES ('epoch 2')");
        }
        assertThat(count("body = 'stale'")).isZero();
        assertThat(count("true")).isEqualTo(2);
    }

    @Test
    void epochsOnlyGrow() throws SQLException {
        try (Connection admin = connect()) {
            Fence.bump(admin, 5, Duration.ofSeconds(5));
            assertThat(Fence.bump(admin, 5, Duration.ofSeconds(5))).isEqualTo(5);
            assertThatThrownBy(() -> Fence.bump(admin, 4, Duration.ofSeconds(5)))
                    .isInstanceOf(SQLException.class).hasMessageContaining("epochs only grow")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("DM003"));
            assertThat(Fence.epoch(admin)).isEqualTo(5);
        }
    }

    @Test
    void concurrentWritersDoNotWaitForEachOther() throws Exception {
        try (Connection first = writer(1); Connection second = writer(1)) {
            first.setAutoCommit(false);
            execute(first, "INSERT INTO notes (body) VALUES ('first, still open')");
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                try {
                    execute(second, "INSERT INTO notes (body) VALUES ('second')");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            other.get(10, TimeUnit.SECONDS); // would time out if the fence serialised writers
            first.commit();
        }
        assertThat(count("true")).isEqualTo(2);
    }

    @Test
    void aBumpWaitsForWritersInFlightAndLaterOldWritesAreRefused() throws Exception {
        try (Connection old = writer(1); Connection admin = connect()) {
            old.setAutoCommit(false);
            execute(old, "INSERT INTO notes (body) VALUES ('in flight')");
            CompletableFuture<Long> bump = CompletableFuture.supplyAsync(() -> {
                try {
                    return Fence.bump(admin, 2, Duration.ofSeconds(60));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !bump.isDone());
            old.commit(); // it wrote before the bump, so it may commit
            assertThat(bump.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            assertThatThrownBy(() -> execute(old, "INSERT INTO notes (body) VALUES ('after the bump')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("older than the fence");
            old.rollback();
        }
        assertThat(count("body = 'in flight'")).isEqualTo(1);
        assertThat(count("body = 'after the bump'")).isZero();
    }

    /**
     * The other order: a bump holds the fence's lock (its transaction still open) when an old-epoch writer arrives.
     * The writer waits for the bump, and must then see the raised epoch and be refused (the bump's epoch is in force
     * before its lock is released).
     */
    @Test
    void aWriterArrivingDuringABumpWaitsAndIsRefused() throws Exception {
        try (Connection old = writer(1); Connection admin = connect()) {
            admin.setAutoCommit(false);
            try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SELECT domicile.bump_epoch(2)")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(2);
            }
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                try {
                    execute(old, "INSERT INTO notes (body) VALUES ('during the bump')");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !write.isDone());
            admin.commit();
            assertThatThrownBy(() -> write.get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(SQLException.class).hasMessageContaining("older than the fence");
        }
        assertThat(count("body = 'during the bump'")).isZero();
        try (Connection admin = connect()) {
            assertThat(Fence.epoch(admin)).isEqualTo(2);
        }
    }

    /** A database fenced by version 1 (epoch only in the row) keeps its epoch when brought to the current version. */
    @Test
    void upgradingAVersionOneFenceKeepsItsEpoch() throws Exception {
        try (Connection c = connect()) {
            Fence.uninstall(c);
            try (java.io.InputStream in = Fence.class.getResourceAsStream("fence-v1.sql")) {
                execute(c, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
            execute(c, "INSERT INTO domicile.fence (partition, epoch) VALUES ('eu-west', 7)");
            Fence.fenceTable(c, "notes");
            assertThat(Fence.installedVersion(c)).isEqualTo(1);

            assertThat(Fence.install(c, "eu-west", 1)).isEqualTo(7);
            assertThat(Fence.installedVersion(c)).isEqualTo(Fence.VERSION);
            assertThat(Fence.epoch(c)).isEqualTo(7);
        }
        try (Connection stale = writer(6)) {
            assertThatThrownBy(() -> execute(stale, "INSERT INTO notes (body) VALUES ('stale')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("(epoch 7)");
        }
        try (Connection current = writer(7)) {
            execute(current, "INSERT INTO notes (body) VALUES ('current')");
        }
        assertThat(count("true")).isEqualTo(1);
    }

    @Test
    void aStalledWriterOfTheOldEpochIsEndedAndNeverCommits() throws Exception {
        try (Connection stalled = writer(1); Connection admin = connect()) {
            stalled.setAutoCommit(false);
            execute(stalled, "INSERT INTO notes (body) VALUES ('stalled')");
            assertThat(Fence.bump(admin, 3, Duration.ofMillis(300))).isEqualTo(3);
            assertThatThrownBy(stalled::commit).isInstanceOf(SQLException.class);
        }
        assertThat(count("body = 'stalled'")).as("commits with a stale epoch").isZero();
    }


    /**
     * A bump that has to end a stalled writer of the old epoch: a writer of the new epoch queued behind the bump is not
     * ended with it, and writes once the bump is in force.
     */
    @Test
    void aBumpEndsOnlyHoldersNotWritersWaitingBehindIt() throws Exception {
        // Own threads: the common pool may have a single thread on a small machine, and both tasks block.
        try (Connection stalled = writer(1); Connection admin = connect(); Connection next = writer(2);
             java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            stalled.setAutoCommit(false);
            execute(stalled, "INSERT INTO notes (body) VALUES ('stalled')");
            CompletableFuture<Long> bump = CompletableFuture.supplyAsync(() -> {
                try {
                    return Fence.bump(admin, 2, Duration.ofSeconds(3));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingFor("ExclusiveLock") == 1);
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                try {
                    execute(next, "INSERT INTO notes (body) VALUES ('new epoch')");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingFor("ShareLock") == 1);
            assertThat(bump.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            write.get(30, TimeUnit.SECONDS);
            assertThatThrownBy(stalled::commit).isInstanceOf(SQLException.class);
        }
        assertThat(count("body = 'new epoch'")).isEqualTo(1);
        assertThat(count("body = 'stalled'")).isZero();
    }

    /** Sessions waiting (not yet granted) for the fence's advisory lock in {@code mode}. */
    private static long waitingFor(String mode) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                     + " AND mode = '" + mode + "' AND objid = " + (Fence.ADVISORY_KEY & 0xFFFF_FFFFL))) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
