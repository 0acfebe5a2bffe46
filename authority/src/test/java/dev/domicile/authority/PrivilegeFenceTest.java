package dev.domicile.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.TopologyExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fence in privileges mode on a real PostgreSQL, with writers logged in as an ordinary role (not a superuser,
 * not the tables' owner): the rules of {@link FenceContract}, enforced by PostgreSQL's privilege check, plus what is
 * particular to the mode (the stamp, epoch roles, who may open them, uninstall).
 */
class PrivilegeFenceTest extends FenceContract {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").replicasPerSite(0).redis(false));

    private static final String BASE = "notes_app";
    private static final String LOGIN = "notes_router";

    private static Endpoint primary() {
        return TOPOLOGY.topology().primary("eu-west");
    }

    /** A superuser session: installs, bumps, counts. */
    @Override
    Connection admin() throws SQLException {
        return TOPOLOGY.topology().connect(primary());
    }

    /** A session of the routers' login role, which holds no privilege of its own. */
    private static Connection login() throws SQLException {
        return DriverManager.getConnection(primary().jdbcUrl().replace("user=postgres", "user=" + LOGIN));
    }

    /** A router's session stamped with {@code epoch}. */
    @Override
    Connection writer(long epoch) throws SQLException {
        Connection c = login();
        try {
            execute(c, Fence.stampSql(epoch));
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    @Override
    String refusedWhileStamped() {
        return "42501";
    }

    @BeforeEach
    void freshFence() throws SQLException {
        try (Connection c = admin()) {
            Fence.uninstall(c);
            execute(c, "DROP TABLE IF EXISTS notes, plain");
            execute(c, "DROP ROLE IF EXISTS " + LOGIN);
            execute(c, "DROP ROLE IF EXISTS " + BASE);
            execute(c, "CREATE ROLE " + BASE + " NOLOGIN");
            execute(c, "CREATE ROLE " + LOGIN + " LOGIN");
            execute(c, "CREATE TABLE notes (id serial PRIMARY KEY, body text)");
            execute(c, "CREATE TABLE plain (id serial PRIMARY KEY, body text)");
            execute(c, "GRANT ALL ON notes, plain TO " + BASE);
            execute(c, "GRANT ALL ON SEQUENCE notes_id_seq, plain_id_seq TO " + BASE);
            assertThat(Fence.install(c, "eu-west", 1)).isEqualTo(1);
            Fence.fenceTable(c, "notes");
            Fence.usePrivileges(c, BASE);
            execute(c, "GRANT " + Fence.writersRole(c) + " TO " + LOGIN);
            assertThat(Fence.usesPrivileges(c)).isTrue();
            assertThat(c.createStatement().executeQuery("SELECT count(*) FROM pg_trigger"
                    + " WHERE tgname = 'domicile_fence'")).satisfies(rs -> {
                        rs.next();
                        assertThat(rs.getLong(1)).as("no trigger in privileges mode").isZero();
                    });
        }
    }

    @Test
    void aStampedWriterWritesWithTheBaseRolesPrivilegesAndAStaleOneIsRefused() throws SQLException {
        try (Connection current = writer(1)) {
            execute(current, "INSERT INTO notes (body) VALUES ('epoch 1')");
            execute(current, "INSERT INTO plain (body) VALUES ('unfenced table, base role privilege')");
            try (Connection admin = admin()) {
                assertThat(Fence.bump(admin, 2, Duration.ofSeconds(5))).isEqualTo(2);
            }
            // Fenced while stamped: PostgreSQL's privilege check refuses the next write.
            assertThatThrownBy(() -> execute(current, "INSERT INTO notes (body) VALUES ('stale')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied for table notes")
                    .satisfies(e -> assertThat(sqlState(e)).isEqualTo("42501"));
            assertThatThrownBy(() -> execute(current, "DELETE FROM notes")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(current, "UPDATE notes SET body = 'x'")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(current, "TRUNCATE notes")).isInstanceOf(SQLException.class);
            execute(current, "INSERT INTO plain (body) VALUES ('unfenced tables stay writable')");
            assertThat(current.createStatement().executeQuery("SELECT count(*) FROM notes"))
                    .as("reads stay allowed").satisfies(rs -> assertThat(rs.next()).isTrue());
        }
        // A new stamp with the stale epoch is refused at once, with the fence's own SQLSTATE.
        assertThatThrownBy(() -> writer(1)).isInstanceOf(SQLException.class)
                .hasMessageContaining("epoch 1 is older than the fence of partition eu-west (epoch 2)")
                .satisfies(e -> assertThat(sqlState(e)).isEqualTo(Fence.STALE_EPOCH));
        try (Connection unstamped = login()) {
            assertThatThrownBy(() -> execute(unstamped, "INSERT INTO notes (body) VALUES ('unstamped')"))
                    .isInstanceOf(SQLException.class).satisfies(e -> assertThat(sqlState(e)).isEqualTo("42501"));
        }
        try (Connection next = writer(2)) {
            execute(next, "INSERT INTO notes (body) VALUES ('epoch 2')");
        }
        assertThat(count("body IN ('stale', 'unstamped')")).isZero();
        assertThat(count("true")).isEqualTo(2);
    }

    @Test
    void anEpochAheadOfTheFenceMayWriteUntilTheFencePassesIt() throws SQLException {
        try (Connection ahead = writer(4)) {
            execute(ahead, "INSERT INTO notes (body) VALUES ('epoch 4, fence 1')");
            try (Connection admin = admin()) {
                Fence.bump(admin, 3, Duration.ofSeconds(5));
            }
            execute(ahead, "INSERT INTO notes (body) VALUES ('epoch 4, fence 3')");
            try (Connection admin = admin()) {
                Fence.bump(admin, 5, Duration.ofSeconds(5));
            }
            assertThatThrownBy(() -> execute(ahead, "INSERT INTO notes (body) VALUES ('epoch 4, fence 5')"))
                    .isInstanceOf(SQLException.class);
        }
        assertThat(count("true")).isEqualTo(2);
    }

    /** In privileges mode a bump waits for SHARE locks on the fenced tables, and writers behind it for theirs. */
    @Override
    long bumpsWaiting() throws SQLException {
        return waitingOnNotes("ShareLock");
    }

    @Override
    long writersWaitingBehindABump() throws SQLException {
        return waitingOnNotes("RowExclusiveLock");
    }

    @Test
    void retiringRefusesEveryEpoch() throws SQLException {
        try (Connection admin = admin()) {
            Fence.retire(admin, Duration.ofSeconds(5));
        }
        assertThatThrownBy(() -> writer(1)).satisfies(e -> assertThat(sqlState(e)).isEqualTo(Fence.STALE_EPOCH));
        assertThatThrownBy(() -> writer(1_000_000)).satisfies(e -> assertThat(sqlState(e))
                .isEqualTo(Fence.STALE_EPOCH));
    }

    @Test
    void uninstallGivesTheWritesBackToTheBaseRoleAndDropsTheEpochRoles() throws SQLException {
        try (Connection w = writer(1)) {
            execute(w, "INSERT INTO notes (body) VALUES ('fenced')");
        }
        try (Connection c = admin()) {
            assertThat(Fence.install(c, "eu-west", 0)).as("idempotent").isEqualTo(1);
            Fence.usePrivileges(c, BASE);
            assertThatThrownBy(() -> Fence.usePrivileges(c, "postgres")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("already uses base role " + BASE);
            Fence.uninstall(c);
            assertThat(Fence.installedVersion(c)).isZero();
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'domicile\\_%'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("epoch roles and writers group left behind").isZero();
            }
            execute(c, "SET ROLE " + BASE);
            execute(c, "INSERT INTO notes (body) VALUES ('unfenced, as the base role')");
            execute(c, "RESET ROLE");
        }
        assertThat(count("true")).isEqualTo(2);
    }

    /** Sessions waiting (not yet granted) for a lock on the table notes in {@code mode}. */
    private long waitingOnNotes(String mode) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND NOT granted"
                     + " AND mode = '" + mode + "' AND relation = 'notes'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
