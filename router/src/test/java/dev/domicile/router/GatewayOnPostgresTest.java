package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.authority.AuthorityConfig;
import dev.domicile.authority.AuthorityWatcher;
import dev.domicile.authority.WriteAdmission;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.SiteId;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CockroachDB dialect where no CockroachDB runs: a PostgreSQL server configured as a gateway fails the gateway
 * probe, so it is marked down and nothing is routed to it (a typed, explained error instead). Also checks, on the
 * real server, that the read-only session setting the dialect's read pools use refuses writes, and that write
 * admission (PostgreSQL fencing) is refused with this dialect.
 */
class GatewayOnPostgresTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").replicasPerSite(0).redis(false));

    @Test
    void aServerThatIsNotCockroachDbIsNeverUsedAsAGateway() {
        Topology topology = TOPOLOGY.topology();
        Endpoint postgres = topology.primary("eu-west");
        RouterConfig config = RouterConfig.builder().localSite(SiteId.of("eu-west")).dialect(Dialect.COCKROACHDB)
                .probeInterval(Duration.ofMillis(100)).probeTimeout(Duration.ofSeconds(1))
                .connectionTimeout(Duration.ofSeconds(1))
                .endpoint(EndpointConfig.gateway("gw-eu", SiteId.of("eu-west"), postgres.jdbcUrl(), null, null))
                .build();
        PartitionMap map = TopologyRouting.map(topology, Map.of());
        try (RoutingDataSource dataSource = RoutingDataSource.create(config, () -> map)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> dataSource.endpointStates().getFirst().health()
                    == EndpointState.Health.DOWN);
            assertThat(dataSource.endpointStates().getFirst().lastError()).contains("crdb_internal");

            assertThatThrownBy(() -> dataSource.router().forUser("alice").intent(Intent.READ)
                    .consistency(Consistency.ANY).call(() -> {
                        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                            return s.execute("SELECT 1");
                        }
                    }))
                    .isInstanceOf(NoRouteException.class)
                    .hasMessageContaining("no CockroachDB gateway can serve a READ for partition eu-west")
                    .satisfies(e -> assertThat(((NoRouteException) e).attempts())
                            .singleElement().asString().startsWith("gw-eu: DOWN").contains("crdb_internal"));
            assertThatThrownBy(() -> {
                try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                    s.execute("SELECT 1");
                }
            }).isInstanceOf(SQLException.class).hasMessageContaining("no routing context is bound");
            assertThat(dataSource.activeConnections()).isEmpty();       // no pool was ever opened
            assertThat(dataSource.regions().regionOf(SiteId.of("eu-west"))).isEqualTo("eu-west");
        }
    }

    @Test
    void writeAdmissionIsRefusedSinceCockroachDbHasNoPrimaryToFence() throws Exception {
        Topology topology = TOPOLOGY.topology();
        AuthorityConfig authority = AuthorityConfig.builder().rootPath("/domicile/authority").localSite("eu-west")
                .routerId("eu-west-1").sites("eu-west").failoverOrder("eu-west", "eu-west")
                .sessionTimeout(Duration.ofSeconds(5)).connectionTimeout(Duration.ofSeconds(2))
                .safetyMargin(Duration.ofSeconds(1)).build();
        RouterConfig config = RouterConfig.builder().localSite(SiteId.of("eu-west")).dialect(Dialect.COCKROACHDB)
                .endpoint(EndpointConfig.gateway("gw-eu", SiteId.of("eu-west"),
                        topology.primary("eu-west").jdbcUrl(), null, null))
                .build();
        PartitionMap map = TopologyRouting.map(topology, Map.of());
        try (CuratorFramework client = authority.curatorBuilder(topology.zooKeeperConnectString()).build()) {
            client.start();
            assertThat(client.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
            try (AuthorityWatcher watcher = AuthorityWatcher.start(client, authority);
                 WriteAdmission admission = WriteAdmission.start(watcher)) {
                assertThatThrownBy(() -> RoutingDataSource.create(config, () -> map, admission))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("dialect COCKROACHDB has none");
            }
        }
    }

    @Test
    void theReadPoolsSessionSettingRefusesWrites() throws SQLException {
        Topology topology = TOPOLOGY.topology();
        try (Connection c = topology.connect(topology.primary("eu-west")); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS read_only_probe (n int)");
            s.execute(CockroachSql.READ_ONLY_SESSION);
            assertThatThrownBy(() -> s.execute("INSERT INTO read_only_probe VALUES (1)"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
        }
    }
}
