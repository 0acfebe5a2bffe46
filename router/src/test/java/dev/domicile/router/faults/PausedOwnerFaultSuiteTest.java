package dev.domicile.router.faults;

import static dev.domicile.router.faults.FaultWorld.EU;
import static dev.domicile.router.faults.FaultWorld.P;
import static dev.domicile.router.faults.FaultWorld.SESSION;
import static dev.domicile.router.faults.FaultWorld.US;
import static dev.domicile.router.faults.FaultWorld.WAIT;
import static dev.domicile.router.faults.FaultWorld.millis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.authority.RetryHint;
import dev.domicile.router.RoutedConnection;
import dev.domicile.router.RoutingContext;
import dev.domicile.router.RoutingDecision;
import dev.domicile.router.WriteRefusedException;
import dev.domicile.router.faults.FaultWorld.SiteRouter;
import dev.domicile.router.faults.FaultWorld.Takeover;
import dev.domicile.router.faults.HistoryChecker.Result;
import dev.domicile.router.faults.WriteHistory.Outcome;
import dev.domicile.router.faults.WriteHistory.Write;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault suite, scenario 2: the owner stalls past its session timeout while it holds open write transactions,
 * then resumes and commits them. The stall is made the way a paused process behaves: eu-west's ZooKeeper link is
 * blackholed (no heartbeats, so its session expires) and its router's reaction is held ({@link Stall} blocks the
 * thread that reports the stop, so the router cannot abort the open transactions). us-east takes over (epoch 2) and
 * raises the fence of the primary; the database alone must refuse the resumed commits. Session timeout 5 s, safety
 * margin 1 s.
 */
class PausedOwnerFaultSuiteTest {

    private static final Duration PAUSE = Duration.ofMillis(10);

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site(EU).site(US).replicasPerSite(0).redis(false));

    /**
     * Run with the fence in either mode. In privileges mode the resumed transaction that had not written is refused by
     * PostgreSQL's privilege check (42501: its session was stamped with epoch 1 before the fence rose).
     */
    @ParameterizedTest(name = "fence in privileges mode: {0}")
    @ValueSource(booleans = {false, true})
    void ownerPausedPastItsSessionWithOpenWriteTransactionsIsFencedWhenItResumes(boolean privileges) throws Exception {
        Topology topology = TOPOLOGY.topology();
        try (FaultWorld world = new FaultWorld(topology, privileges ? "paused-privileges" : "paused")) {
            world.initializeAuthority();
            world.prepareDatabases(privileges);
            try {
                run(topology, world, privileges);
            } finally {
                topology.zooKeeperLink(EU).heal();
            }
        }
    }

    private void run(Topology topology, FaultWorld world, boolean privileges) throws Exception {
        Stall stall = new Stall(P);
        SiteRouter eu = world.router(EU, true, stall);
        SiteRouter us = world.router(US, true, null);
        world.awaitSteadyState(eu, us);
        Endpoint primary = topology.primary(EU);
        WriteHistory history = new WriteHistory();
        try (Writer a = Writer.start("a", EU, eu.dataSource(), "alice", P, world.table, history, PAUSE)) {
            await().atMost(WAIT).until(() -> a.acknowledged() >= 10);
        }
        RoutingContext alice = eu.dataSource().router().forUser("alice").context();
        long openedAt = System.nanoTime();
        Connection wrote = open(eu, alice);
        Connection idle = open(eu, alice);
        Takeover takeover;
        long pausedAt;
        long resumedAt;
        String wroteOutcome;
        String idleOutcome;
        try {
            long wroteEpoch = insert(world, wrote, "paused-wrote");     // holds the fence's shared lock until it ends
            try (Statement s = idle.createStatement()) {        // stamped with epoch 1, transaction open, no write
                s.execute("SELECT 1");
            }
            assertThat(wroteEpoch).isEqualTo(1);

            // The owner stalls: no ZooKeeper heartbeats, and its router cannot react (it cannot abort anything).
            stall.arm();
            world.expectLoss(eu.client());
            pausedAt = System.nanoTime();
            topology.zooKeeperLink(EU).blackhole();
            try (Writer b = Writer.start("b", US, us.dataSource(), "alice", P, world.table, history, PAUSE)) {
                await().atMost(WAIT).until(stall::engaged);
                takeover = world.takeOver(us, P, List.of(primary));
                await().atMost(WAIT).until(() -> b.acknowledged() >= 5);

                // The owner resumes where it stopped: it commits the transactions it held open.
                topology.zooKeeperLink(EU).heal();
                resumedAt = System.nanoTime();
                wroteOutcome = commit(world, history, wrote, "paused-wrote", wroteEpoch, openedAt, false, privileges);
                idleOutcome = commit(world, history, idle, "paused-idle", 1, openedAt, true, privileges);
            } finally {
                stall.release();
            }
        } finally {
            closeQuietly(wrote);
            closeQuietly(idle);
        }
        await().atMost(WAIT).until(() -> eu.watcher().snapshot().live()
                && eu.watcher().authority(P).orElseThrow().epoch() == 2);
        assertThatThrownBy(() -> insertOnce(world, eu, alice, "after-resume")).isInstanceOf(WriteRefusedException.class)
                .satisfies(e -> assertThat(((WriteRefusedException) e).refusal().hint())
                        .isEqualTo(RetryHint.FORWARD_TO_OWNER));

        Result result = world.check(history, P, primary, Optional.empty());
        long staleCommits = history.writes().stream().filter(w -> w.id().startsWith("paused-")
                && w.outcome() == Outcome.ACKNOWLEDGED).count();
        System.out.printf("FAULT-SUITE 2%s owner paused %d ms (session %d ms) holding 2 open write transactions: %s;"
                        + " takeover claimed %d ms after the pause began, fence raised %d ms after; on resume the"
                        + " transaction that had written -> %s, the one that had not -> %s; commits with a stale epoch"
                        + " %d; session losses injected %d, uninjected %d%n", privileges ? " (privileges mode)" : "",
                millis(resumedAt - pausedAt),
                SESSION.toMillis(), result.summary(), millis(takeover.claimStartNanos() - pausedAt),
                millis(takeover.fencedNanos() - takeover.claimedNanos()), wroteOutcome, idleOutcome, staleCommits,
                world.injectedLosses(), world.uninjectedLosses());

        assertThat(staleCommits).as("commits with a stale epoch").isZero();
        assertThat(idleOutcome).as("the fence refuses the resumed transaction's write").startsWith("FENCED");
        assertThat(wroteOutcome).as("the fence bump ended the resumed transaction").doesNotStartWith("ACKNOWLEDGED");
        assertThat(world.readBack(primary)).doesNotContainKeys("paused-wrote", "paused-idle");
        assertThat(result.wronglyAccepted()).isZero();
        assertThat(result.lost()).isZero();
        assertThat(result.clean()).as(result.anomalies().toString()).isTrue();
        assertThat(world.uninjectedLosses()).as("session losses nobody injected").isZero();
    }

    private static Connection open(SiteRouter router, RoutingContext context) throws SQLException {
        Connection connection = Writer.connection(router.dataSource(), context);
        connection.setAutoCommit(false);
        return connection;
    }

    private static long insert(FaultWorld world, Connection connection, String id) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.executeUpdate("INSERT INTO " + world.table + " (id, site, epoch) VALUES ('" + id + "', '" + EU
                    + "', current_setting('domicile.epoch')::bigint)");
        }
        return connection.unwrap(RoutedConnection.class).decision().map(RoutingDecision::epoch).orElse(-1L);
    }

    private static void insertOnce(FaultWorld world, SiteRouter router, RoutingContext context, String id)
            throws SQLException {
        try (Connection c = open(router, context)) {
            insert(world, c, id);
            c.commit();
        }
    }

    /** Finishes a resumed transaction (writing first if {@code writeFirst}) and records what became of it. */
    private static String commit(FaultWorld world, WriteHistory history, Connection connection, String id,
                                 long epoch, long startNanos, boolean writeFirst, boolean privileges) {
        Outcome outcome;
        String detail = null;
        boolean committing = false;
        try {
            if (writeFirst) {
                insert(world, connection, id);
            }
            committing = true;
            connection.commit();
            outcome = Outcome.ACKNOWLEDGED;
        } catch (SQLException e) {
            boolean fenced = Writer.fenced(e) || (privileges && "42501".equals(e.getSQLState()));
            outcome = fenced ? Outcome.FENCED : committing ? Outcome.UNKNOWN : Outcome.ABORTED;
            detail = e.getSQLState() + " " + Writer.firstLine(e.getMessage());
        }
        history.add(new Write(id, EU, EU, epoch, startNanos, System.nanoTime(), outcome, 0, 0, detail));
        return outcome + (detail == null ? "" : " (" + detail + ")");
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the transaction is over either way
        }
    }
}
