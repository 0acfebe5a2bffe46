package dev.domicile.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The rules every mode of the fence keeps, on a real PostgreSQL whose table {@code notes} is fenced at epoch 1 before
 * each test: writers never wait for each other, a bump waits for writers in flight, a writer that arrives during a
 * bump waits for it and is then refused, a stalled writer of the old epoch is ended and never commits. Each mode's test
 * class ({@link FenceTest}, {@link PrivilegeFenceTest}) says how to reach the database and how a refusal looks.
 */
abstract class FenceContract {

    /** A session that may install, bump and count (a superuser). */
    abstract Connection admin() throws SQLException;

    /** A writer's session stamped with {@code epoch}. */
    abstract Connection writer(long epoch) throws SQLException;

    /** The SQLSTATE a session stamped before the fence rose gets from its next write to a fenced table. */
    abstract String refusedWhileStamped();

    /** How many bumps wait (not yet granted) for the fence. */
    abstract long bumpsWaiting() throws SQLException;

    /** How many writers wait (not yet granted) behind a bump. */
    abstract long writersWaitingBehindABump() throws SQLException;

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The SQLSTATE of the first {@link SQLException} in {@code e}'s cause chain, or null. */
    static String sqlState(Throwable e) {
        while (e != null && !(e instanceof SQLException)) {
            e = e.getCause();
        }
        return e == null ? null : ((SQLException) e).getSQLState();
    }

    long count(String where) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notes WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
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
        try (Connection old = writer(1); Connection admin = admin()) {
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
            execute(old, "INSERT INTO notes (body) VALUES ('in flight, second statement')");
            old.commit(); // it wrote before the bump, so it may commit
            assertThat(bump.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            assertThatThrownBy(() -> execute(old, "INSERT INTO notes (body) VALUES ('after the bump')"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(sqlState(e)).isEqualTo(refusedWhileStamped()));
            old.rollback();
        }
        assertThat(count("body LIKE 'in flight%'")).isEqualTo(2);
        assertThat(count("body = 'after the bump'")).isZero();
    }

    /**
     * The other order: a bump holds the fence (its transaction still open) when an old-epoch writer arrives. The
     * writer waits for the bump, and must then meet the raised epoch and be refused.
     */
    @Test
    void aWriterArrivingDuringABumpWaitsAndIsRefused() throws Exception {
        try (Connection old = writer(1); Connection admin = admin()) {
            admin.setAutoCommit(false);
            execute(admin, "SELECT domicile.lock_fenced_tables()"); // what Fence.bump does first; in trigger mode nothing
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
                    .satisfies(e -> assertThat(sqlState(e)).isEqualTo(refusedWhileStamped()));
        }
        assertThat(count("body = 'during the bump'")).isZero();
        try (Connection admin = admin()) {
            assertThat(Fence.epoch(admin)).isEqualTo(2);
        }
    }

    @Test
    void aStalledWriterOfTheOldEpochIsEndedAndNeverCommits() throws Exception {
        try (Connection stalled = writer(1); Connection admin = admin()) {
            stalled.setAutoCommit(false);
            execute(stalled, "INSERT INTO notes (body) VALUES ('stalled')");
            assertThat(Fence.bump(admin, 3, Duration.ofMillis(300))).isEqualTo(3);
            assertThatThrownBy(stalled::commit).isInstanceOf(SQLException.class);
        }
        assertThat(count("body = 'stalled'")).as("commits with a stale epoch").isZero();
    }

    @Test
    void epochsOnlyGrow() throws SQLException {
        try (Connection admin = admin()) {
            Fence.bump(admin, 5, Duration.ofSeconds(5));
            assertThat(Fence.bump(admin, 5, Duration.ofSeconds(5))).isEqualTo(5);
            assertThatThrownBy(() -> Fence.bump(admin, 4, Duration.ofSeconds(5)))
                    .isInstanceOf(SQLException.class).hasMessageContaining("epochs only grow")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("DM003"));
            assertThat(Fence.epoch(admin)).isEqualTo(5);
        }
    }

    /**
     * A bump that has to end a stalled writer of the old epoch: a writer of the new epoch queued behind the bump is not
     * ended with it, and writes once the bump is in force.
     */
    @Test
    void aBumpEndsOnlyHoldersNotWritersWaitingBehindIt() throws Exception {
        // Own threads: the common pool may have a single thread on a small machine, and both tasks block.
        try (Connection stalled = writer(1); Connection admin = admin(); Connection next = writer(2);
             ExecutorService threads = Executors.newFixedThreadPool(2)) {
            stalled.setAutoCommit(false);
            execute(stalled, "INSERT INTO notes (body) VALUES ('stalled')");
            CompletableFuture<Long> bump = CompletableFuture.supplyAsync(() -> {
                try {
                    return Fence.bump(admin, 2, Duration.ofSeconds(3));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            await().atMost(Duration.ofSeconds(10)).until(() -> bumpsWaiting() == 1);
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                try {
                    execute(next, "INSERT INTO notes (body) VALUES ('new epoch')");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            await().atMost(Duration.ofSeconds(10)).until(() -> writersWaitingBehindABump() == 1);
            assertThat(bump.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            write.get(30, TimeUnit.SECONDS);
            assertThatThrownBy(stalled::commit).isInstanceOf(SQLException.class);
        }
        assertThat(count("body = 'new epoch'")).isEqualTo(1);
        assertThat(count("body = 'stalled'")).as("commits with a stale epoch").isZero();
    }
}
