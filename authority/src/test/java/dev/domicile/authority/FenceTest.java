package dev.domicile.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.TopologyExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database fence in its default (trigger) mode on a real PostgreSQL: the rules of {@link FenceContract}, plus
 * install, upgrade, refusal of stale and missing epochs, and a bump that ends only the writers holding the fence.
 */
class FenceTest extends FenceContract {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").replicasPerSite(0).redis(false));

    private static Connection connect() throws SQLException {
        Endpoint primary = TOPOLOGY.topology().primary("eu-west");
        return TOPOLOGY.topology().connect(primary);
    }

    @Override
    Connection admin() throws SQLException {
        return connect();
    }

    /** A writer session (a superuser's) stamped with {@code epoch}. */
    @Override
    Connection writer(long epoch) throws SQLException {
        Connection c = connect();
        execute(c, Fence.stampSql(epoch));
        return c;
    }

    @Override
    String refusedWhileStamped() {
        return Fence.STALE_EPOCH;
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

    /** A database fenced by version 1 (epoch only in the row) keeps its epoch when brought to the current version. */
    @Test
    void upgradingAVersionOneFenceKeepsItsEpoch() throws Exception {
        try (Connection c = connect()) {
            installVersionOneAtEpoch7(c);
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
        // A bump alone (a returning old primary fenced by an older version) upgrades it too.
        try (Connection c = connect()) {
            installVersionOneAtEpoch7(c);
            assertThat(Fence.bump(c, 8, java.time.Duration.ofSeconds(5))).isEqualTo(8);
            assertThat(Fence.installedVersion(c)).isEqualTo(Fence.VERSION);
        }
        try (Connection old = writer(7)) {
            assertThatThrownBy(() -> execute(old, "INSERT INTO notes (body) VALUES ('stale')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("(epoch 8)");
        }
    }


    /** Replaces the fence with a version-1 fence of {@code notes} at epoch 7 (its epoch only in the row). */
    private static void installVersionOneAtEpoch7(Connection c) throws Exception {
        Fence.uninstall(c);
        try (java.io.InputStream in = Fence.class.getResourceAsStream("fence-v1.sql")) {
            execute(c, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        execute(c, "INSERT INTO domicile.fence (partition, epoch) VALUES ('eu-west', 7)");
        Fence.fenceTable(c, "notes");
    }

    /** In trigger mode a bump waits for the advisory lock exclusively, and writers behind it wait to share it. */
    @Override
    long bumpsWaiting() throws SQLException {
        return waitingFor("ExclusiveLock");
    }

    @Override
    long writersWaitingBehindABump() throws SQLException {
        return waitingFor("ShareLock");
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
