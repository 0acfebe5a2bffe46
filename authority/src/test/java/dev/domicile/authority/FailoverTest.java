package dev.domicile.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Link;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Losing a whole site: eu-west (its ZooKeeper link and its primary) is lost while it writes; us-east, whose replica
 * of eu-west is the synchronous standby, takes over under the SAFE policy. Every acknowledged write must be there.
 * Each test gets a fresh topology.
 */
class FailoverTest {

    @RegisterExtension
    final TopologyExtension topologyExtension = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").site("us-east").replicasPerSite(0).replicas("eu-west", "us-east", 1)
            .synchronousReplica("eu-west", "us-east").redis(false));

    private static Failover.Database database(Topology topology, Endpoint endpoint) {
        return new Failover.Database(endpoint.name(), () -> topology.connect(endpoint));
    }

    private static long count(Topology topology, Endpoint endpoint) throws SQLException {
        try (Connection c = topology.connect(endpoint); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM ledger")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Writes {@code n} rows at eu-west's primary, each admitted and stamped; returns how many were acknowledged. */
    private static int writeAcknowledged(Topology topology, ZkWorld.Router eu, int n) throws SQLException {
        int acknowledged = 0;
        try (Connection c = topology.connect(topology.primary("eu-west")); Statement s = c.createStatement()) {
            s.execute(Fence.stampSql(eu.admission().admit(ZkWorld.P).epoch()));
            for (int i = 0; i < n; i++) {
                s.executeUpdate("INSERT INTO ledger (amount) VALUES (" + i + ")");
                acknowledged++;
            }
        }
        return acknowledged;
    }

    /**
     * Once eu-west owns the partition, writes {@code n} acknowledged rows there, then loses the site (its ZooKeeper
     * link blackholed, its primary killed). Returns the acknowledged count.
     */
    private static int writeThenLoseEuWest(Topology topology, ZkWorld world, ZkWorld.Router eu, int n)
            throws SQLException {
        await().atMost(Duration.ofSeconds(30)).until(() -> eu.admission().admits(ZkWorld.P)
                && eu.lease().holds(ZkWorld.P));
        prepare(topology);
        int acknowledged = writeAcknowledged(topology, eu, n);
        world.expectLoss(eu.client());
        topology.zooKeeperLink(ZkWorld.EU).blackhole();
        topology.kill(topology.primary("eu-west"));
        return acknowledged;
    }

    private static void awaitTakeoverAllowed(ZkWorld.Router us) {
        await().atMost(Duration.ofSeconds(60)).until(() -> us.watcher()
                .takeoverCheck(ZkWorld.P, ZkWorld.US_SITE).eligible());
    }

    private static void prepare(Topology topology) throws SQLException {
        try (Connection c = topology.connect(topology.primary("eu-west")); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ledger (id serial PRIMARY KEY, amount int)");
            Fence.install(c, "eu-west", 1);
            Fence.fenceTable(c, "ledger");
        }
    }

    @Test
    void safeFailoverToTheSynchronousStandbyLosesNoAcknowledgedWrite() throws Exception {
        Topology topology = topologyExtension.topology();
        Endpoint oldPrimary = topology.primary("eu-west");
        Endpoint standby = topology.replicas("eu-west").get(0);
        try (ZkWorld world = new ZkWorld(topology, "safe")) {
            AuthorityStore admin = world.admin();
            admin.initialize(ZkWorld.P, ZkWorld.EU_SITE);
            ZkWorld.Router eu = world.router(ZkWorld.EU, "eu-1");
            ZkWorld.Router us = world.router(ZkWorld.US, "us-1");
            int acknowledged = writeThenLoseEuWest(topology, world, eu, 200);
            long lost = System.nanoTime();
            Link cut = topology.zooKeeperLink(ZkWorld.EU);
            awaitTakeoverAllowed(us);

            Failover.Report report = Failover.run(admin, us.watcher(), new Failover.Request(ZkWorld.P,
                    ZkWorld.US_SITE, database(topology, standby), true, List.of(database(topology, oldPrimary)),
                    Failover.RecoveryPolicy.SAFE, 0, Duration.ofSeconds(2)));
            System.out.printf("FIGURE SAFE failover: site lost -> new primary writable in %d ms (failover call %d"
                    + " ms); %d acknowledged writes%n", (System.nanoTime() - lost) / 1_000_000,
                    report.took().toMillis(), acknowledged);

            assertThat(report.authority().owner()).isEqualTo(ZkWorld.US_SITE);
            assertThat(report.authority().epoch()).isEqualTo(2);
            assertThat(report.authority().phase()).as("published ACTIVE once fenced").isEqualTo(Authority.Phase.ACTIVE);
            assertThat(admin.read(ZkWorld.P)).contains(report.authority());
            assertThat(report.mayLose()).isEmpty();
            assertThat(report.fences().get(oldPrimary.name())).startsWith("unreachable");
            assertThat(topology.inRecovery(standby)).isFalse();
            assertThat(count(topology, standby)).as("acknowledged writes on the new primary").isEqualTo(acknowledged);
            try (Connection c = topology.connect(standby)) {
                assertThat(Fence.epoch(c)).isEqualTo(2);
            }

            // The old home returns: its routers do not admit, and once fenced its database refuses the old epoch.
            cut.heal();
            topology.start(oldPrimary);
            await().atMost(Duration.ofSeconds(30)).until(() -> eu.watcher().authority(ZkWorld.P)
                    .map(a -> a.epoch() == 2).orElse(false));
            assertThatThrownBy(() -> eu.admission().admit(ZkWorld.P)).isInstanceOf(NotAuthoritativeException.class);
            assertThat(Failover.fenceReturning(database(topology, oldPrimary), 2, Duration.ofSeconds(2)))
                    .isEqualTo("epoch 2");
            try (Connection c = topology.connect(oldPrimary); Statement s = c.createStatement()) {
                s.execute(Fence.stampSql(1));
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO ledger (amount) VALUES (-1)"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("older than the fence");
            }
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    /**
     * Promotion goes through the request's {@link Promoter}: one that fails (a managed service's API down, say)
     * leaves the partition FENCING with the candidate still a replica; {@link Failover#resume} with a working one
     * completes the failover, calling it once.
     */
    @Test
    void promotionGoesThroughThePromoterAndAFailedOneLeavesThePartitionFencing() throws Exception {
        Topology topology = topologyExtension.topology();
        Endpoint oldPrimary = topology.primary("eu-west");
        Endpoint standby = topology.replicas("eu-west").get(0);
        try (ZkWorld world = new ZkWorld(topology, "promoter")) {
            AuthorityStore admin = world.admin();
            admin.initialize(ZkWorld.P, ZkWorld.EU_SITE);
            ZkWorld.Router eu = world.router(ZkWorld.EU, "eu-1");
            ZkWorld.Router us = world.router(ZkWorld.US, "us-1");
            int acknowledged = writeThenLoseEuWest(topology, world, eu, 20);
            awaitTakeoverAllowed(us);

            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            Promoter broken = (database, connection) -> {
                calls.incrementAndGet();
                throw new SQLException("the promotion API of " + database.name() + " is unavailable");
            };
            Promoter working = (database, connection) -> {
                calls.incrementAndGet();
                Promoter.pgPromote(Duration.ofSeconds(30)).promote(database, connection);
            };
            assertThatThrownBy(() -> Failover.run(admin, us.watcher(), request(topology, standby, oldPrimary, broken)))
                    .isInstanceOf(FencingIncompleteException.class)
                    .hasRootCauseMessage("the promotion API of " + standby.name() + " is unavailable");
            assertThat(calls).hasValue(1);
            Authority fencing = admin.read(ZkWorld.P).orElseThrow();
            assertThat(fencing.owner()).isEqualTo(ZkWorld.US_SITE);
            assertThat(fencing.phase()).isEqualTo(Authority.Phase.FENCING);
            assertThat(topology.inRecovery(standby)).as("not promoted").isTrue();

            Failover.Report report = Failover.resume(admin, request(topology, standby, oldPrimary, working));
            assertThat(calls).hasValue(2);
            assertThat(report.authority().phase()).isEqualTo(Authority.Phase.ACTIVE);
            assertThat(report.authority().epoch()).isEqualTo(fencing.epoch());
            assertThat(topology.inRecovery(standby)).isFalse();
            assertThat(count(topology, standby)).isEqualTo(acknowledged);
            try (Connection c = topology.connect(standby)) {
                assertThat(Fence.epoch(c)).isEqualTo(fencing.epoch());
            }
            topology.zooKeeperLink(ZkWorld.EU).heal();
            assertThat(world.uninjectedLosses()).isZero();
        }
    }

    private static Failover.Request request(Topology topology, Endpoint standby, Endpoint oldPrimary,
            Promoter promoter) {
        return new Failover.Request(ZkWorld.P, ZkWorld.US_SITE, database(topology, standby), true,
                List.of(database(topology, oldPrimary)), Failover.RecoveryPolicy.SAFE, 0, Duration.ofSeconds(2),
                Failover.LagBound.UNBOUNDED, promoter);
    }

    @Test
    void safeRefusesAnAsynchronousCandidateAndChangesNothing() throws Exception {
        Topology topology = topologyExtension.topology();
        Endpoint standby = topology.replicas("eu-west").get(0);
        try (ZkWorld world = new ZkWorld(topology, "refused")) {
            AuthorityStore admin = world.admin();
            admin.initialize(ZkWorld.P, ZkWorld.EU_SITE);
            ZkWorld.Router us = world.router(ZkWorld.US, "us-1");
            assertThatThrownBy(() -> Failover.run(admin, us.watcher(), new Failover.Request(ZkWorld.P,
                    ZkWorld.US_SITE, database(topology, standby), false, List.of(), Failover.RecoveryPolicy.SAFE, 0,
                    Duration.ofSeconds(2))))
                    .isInstanceOf(FailoverRefusedException.class).hasMessageContaining("synchronous standby");
            assertThat(admin.read(ZkWorld.P).orElseThrow().epoch()).isEqualTo(1);
            assertThat(topology.inRecovery(standby)).isTrue();
        }
    }
}
