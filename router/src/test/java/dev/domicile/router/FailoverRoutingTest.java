package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.authority.AuthorityConfig;
import dev.domicile.authority.AuthorityStore;
import dev.domicile.authority.AuthorityWatcher;
import dev.domicile.authority.Failover;
import dev.domicile.authority.Fence;
import dev.domicile.authority.RetryHint;
import dev.domicile.authority.SiteLease;
import dev.domicile.authority.WriteAdmission;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.SiteId;
import dev.domicile.router.RoutingDecision.Reason;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End to end: the router at us-east refuses Alice's writes while eu-west owns her partition; eu-west is lost, us-east
 * fails over (SAFE, to its synchronous standby of eu-west), and the same router then writes her data to the
 * promoted database with the new epoch, and reads it back.
 */
class FailoverRoutingTest {

    private static final PartitionId EU = PartitionId.of("eu-west");
    private static final byte[] CREDENTIALS = "domicile:router-secret".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").site("us-east").replicasPerSite(0).replicas("eu-west", "us-east", 1)
            .synchronousReplica("eu-west", "us-east").redis(false));

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    private static AuthorityConfig config(String site) {
        return AuthorityConfig.builder().rootPath("/domicile/authority").localSite(site).routerId(site + "-1")
                .sites("eu-west", "us-east").failoverOrder("eu-west", "eu-west", "us-east")
                .failoverOrder("us-east", "us-east", "eu-west").sessionTimeout(Duration.ofSeconds(5))
                .connectionTimeout(Duration.ofSeconds(2)).safetyMargin(Duration.ofSeconds(1)).build();
    }

    private CuratorFramework client(String site, String connectString) throws InterruptedException {
        CuratorFramework client = config(site).curatorBuilder(connectString).authorization("digest", CREDENTIALS)
                .build();
        resources.push(client);
        client.start();
        assertThat(client.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
        return client;
    }

    @AfterEach
    void close() throws Exception {
        while (!resources.isEmpty()) {
            resources.pop().close();
        }
    }

    private static RoutingDecision insert(RoutingDataSource dataSource, String body) throws Exception {
        return dataSource.router().forUser("alice").call(() -> {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO notes (body) VALUES ('" + body + "')");
                return c.unwrap(RoutedConnection.class).decision().orElseThrow();
            }
        });
    }

    @Test
    void afterAFailoverTheStandbySitesRouterWritesToThePromotedDatabase() throws Exception {
        Topology topology = TOPOLOGY.topology();
        Endpoint oldPrimary = topology.primary("eu-west");
        Endpoint standby = topology.replicas("eu-west").get(0);
        AuthorityStore store = AuthorityStore.of(client("eu-west", topology.zooKeeperConnectString()),
                config("eu-west"));
        store.initialize(EU, SiteId.of("eu-west"));
        store.initialize(PartitionId.of("us-east"), SiteId.of("us-east"));
        try (Connection c = topology.connect(oldPrimary); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id serial PRIMARY KEY, body text)");
            Fence.install(c, "eu-west", 1);
            Fence.fenceTable(c, "notes");
        }
        // eu-west's router holds the lease; us-east's router serves Alice from us-east.
        CuratorFramework euClient = client("eu-west", topology.zooKeeperConnectString("eu-west"));
        AuthorityWatcher euWatcher = AuthorityWatcher.start(euClient, config("eu-west"));
        resources.push(euWatcher);
        resources.push(SiteLease.start(euClient, euWatcher));
        AuthorityWatcher usWatcher = AuthorityWatcher.start(client("us-east",
                topology.zooKeeperConnectString("us-east")), config("us-east"));
        resources.push(usWatcher);
        WriteAdmission usAdmission = WriteAdmission.start(usWatcher);
        resources.push(usAdmission);
        PartitionMap map = TopologyRouting.map(topology, Map.of("alice", "eu-west"));
        RoutingDataSource usRouter = RoutingDataSource.create(TopologyRouting.config(topology, "us-east").build(),
                () -> map, usAdmission);
        resources.push(usRouter);
        await().atMost(Duration.ofSeconds(30)).until(() -> usWatcher.authority(EU).isPresent());

        assertThatThrownBy(() -> insert(usRouter, "before")).isInstanceOf(WriteRefusedException.class)
                .satisfies(e -> assertThat(((WriteRefusedException) e).refusal().hint())
                        .isEqualTo(RetryHint.FORWARD_TO_OWNER));

        // eu-west is lost.
        topology.zooKeeperLink("eu-west").blackhole();
        topology.kill(oldPrimary);
        await().atMost(Duration.ofSeconds(60)).until(() -> usWatcher.takeoverCheck(EU, SiteId.of("us-east"))
                .eligible());
        Failover.run(store, usWatcher, new Failover.Request(EU, SiteId.of("us-east"),
                new Failover.Database(standby.name(), () -> topology.connect(standby)), true,
                List.of(new Failover.Database(oldPrimary.name(), () -> topology.connect(oldPrimary))),
                Failover.RecoveryPolicy.SAFE, 0, Duration.ofSeconds(2)));
        await().atMost(Duration.ofSeconds(30)).until(() -> usAdmission.admits(EU)
                && usRouter.endpointStates().stream().anyMatch(s -> s.endpoint().name().equals(standby.name())
                && !s.inRecovery()));

        RoutingDecision write = insert(usRouter, "after failover");
        assertThat(write.reason()).isEqualTo(Reason.WRITE_TO_PROMOTED);
        assertThat(write.endpoint()).isEqualTo(standby.name());
        assertThat(write.epoch()).isEqualTo(2);
        String read = usRouter.router().forUser("alice").intent(Intent.READ).call(() -> {
            try (Connection c = usRouter.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT body FROM notes ORDER BY id DESC LIMIT 1")) {
                rs.next();
                return rs.getString(1);
            }
        });
        assertThat(read).isEqualTo("after failover");

        // The old primary comes back, out of recovery: two writable databases, a split brain, until it is retired.
        topology.start(oldPrimary);
        await().atMost(Duration.ofSeconds(30)).until(() -> state(usRouter, oldPrimary.name()).usable());
        assertThatThrownBy(() -> insert(usRouter, "while two may write")).isInstanceOf(SplitBrainException.class);
        try (Connection c = topology.connect(oldPrimary)) {
            Fence.retire(c, Duration.ofSeconds(2));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> state(usRouter, oldPrimary.name()).retired());
        RoutingDecision afterReturn = insert(usRouter, "after the old home returned");
        assertThat(afterReturn.endpoint()).isEqualTo(standby.name());
        assertThat(afterReturn.reason()).isEqualTo(Reason.WRITE_TO_PROMOTED);
        assertThat(usRouter.activeConnections().values()).allMatch(active -> active == 0);
    }

    private static EndpointState state(RoutingDataSource router, String endpoint) {
        return router.endpointStates().stream().filter(s -> s.endpoint().name().equals(endpoint)).findFirst()
                .orElseThrow();
    }
}
