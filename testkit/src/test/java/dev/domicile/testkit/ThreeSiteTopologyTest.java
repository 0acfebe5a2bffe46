package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Replication on the real servers of a three-site topology with a cross-region replica. */
class ThreeSiteTopologyTest {

    private static Topology topology;
    private static long startMillis;

    @BeforeAll
    static void start() {
        long t0 = System.nanoTime();
        topology = EmbeddedTopology.builder()
                .site("eu-west").site("us-east").site("ap-south")
                .replicasPerSite(1)
                .replicas("eu-west", "us-east", 1)
                .start();
        startMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("3-site topology (3 primaries, 4 replicas, 3 Redis, ZooKeeper) started in " + startMillis
                + " ms");
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void startsEveryServerWhereItWasPlaced() {
        assertThat(topology.sites()).containsExactly("eu-west", "us-east", "ap-south");
        assertThat(topology.endpoints()).hasSize(7);
        assertThat(topology.replicas("eu-west")).extracting(Endpoint::site).containsExactly("eu-west", "us-east");
        for (Endpoint endpoint : topology.endpoints()) {
            assertThat(topology.inRecovery(endpoint)).as(endpoint.name()).isEqualTo(endpoint.role() == Role.REPLICA);
        }
        assertThat(startMillis).as("start-up within a generous bound").isLessThan(120_000);
    }

    @Test
    void rowWrittenOnPrimaryIsReadBackFromEveryReplica() throws SQLException {
        Endpoint primary = topology.primary("eu-west");
        execute(primary, "CREATE TABLE notes (id int PRIMARY KEY, body text)");
        execute(primary, "INSERT INTO notes VALUES (1, 'hello from eu-west')");
        Lsn written = topology.currentLsn(primary);
        for (Endpoint replica : topology.replicas("eu-west")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> topology.replayLsn(replica).compareTo(written) >= 0);
            assertThat(queryString(replica, "SELECT body FROM notes WHERE id = 1")).isEqualTo("hello from eu-west");
        }
        // Other partitions hold other data: the us-east primary has no such table.
        assertThat(queryString(topology.primary("us-east"), "SELECT to_regclass('notes')::text")).isNull();
    }

    @Test
    void pausedReplayMakesGrowingLagAndResumedReplayCatchesUp() throws SQLException {
        Endpoint primary = topology.primary("ap-south");
        Endpoint replica = topology.replicas("ap-south").get(0);
        execute(primary, "CREATE TABLE ledger (id serial PRIMARY KEY, amount int)");
        Lsn created = topology.currentLsn(primary);
        await().atMost(Duration.ofSeconds(30)).until(() -> topology.replayLsn(replica).compareTo(created) >= 0);

        topology.pauseReplay(replica);
        try {
            Lsn paused = topology.replayLsn(replica);
            execute(primary, "INSERT INTO ledger (amount) SELECT g FROM generate_series(1, 1000) g");
            long lagAfterFirst = topology.currentLsn(primary).bytesAfter(topology.replayLsn(replica));
            execute(primary, "INSERT INTO ledger (amount) SELECT g FROM generate_series(1, 1000) g");
            long lagAfterSecond = topology.currentLsn(primary).bytesAfter(topology.replayLsn(replica));

            assertThat(lagAfterFirst).isPositive();
            assertThat(lagAfterSecond).isGreaterThan(lagAfterFirst);
            assertThat(topology.replayLsn(replica)).isEqualTo(paused);
            assertThat(queryString(replica, "SELECT count(*)::text FROM ledger")).isEqualTo("0");
        } finally {
            topology.resumeReplay(replica);
        }
        Lsn target = topology.currentLsn(primary);
        await().atMost(Duration.ofSeconds(30)).until(() -> topology.replayLsn(replica).compareTo(target) >= 0);
        assertThat(queryString(replica, "SELECT count(*)::text FROM ledger")).isEqualTo("2000");
    }

    private static void execute(Endpoint endpoint, String sql) throws SQLException {
        execute(topology, endpoint, sql);
    }

    private static String queryString(Endpoint endpoint, String sql) throws SQLException {
        return queryString(topology, endpoint, sql);
    }

    static void execute(Topology topology, Endpoint endpoint, String sql) throws SQLException {
        try (Connection c = topology.connect(endpoint); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static String queryString(Topology topology, Endpoint endpoint, String sql) throws SQLException {
        try (Connection c = topology.connect(endpoint); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
