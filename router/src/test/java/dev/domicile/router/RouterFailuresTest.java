package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.router.RoutingDecision.Reason;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Servers that die, or change role behind the router's back. Each test gets a fresh single-site topology. */
class RouterFailuresTest {

    @RegisterExtension
    final TopologyExtension topologyExtension = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").replicasPerSite(1).redis(false));

    private RoutingDataSource dataSource;

    @BeforeEach
    void open() {
        Topology topology = topologyExtension.topology();
        PartitionMap map = TopologyRouting.map(topology, Map.of());
        dataSource = RoutingDataSource.create(TopologyRouting.config(topology, "eu-west").build(), () -> map);
    }

    @AfterEach
    void close() {
        assertThat(dataSource.activeConnections().values()).allMatch(active -> active == 0);
        dataSource.close();
    }

    private EndpointState state(String endpoint) {
        return dataSource.endpointStates().stream().filter(s -> s.endpoint().name().equals(endpoint)).findFirst()
                .orElseThrow();
    }

    private RoutingDecision select(Intent intent) throws Exception {
        return dataSource.router().forUser("carol").intent(intent).call(() -> {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                return c.unwrap(RoutedConnection.class).decision().orElseThrow();
            }
        });
    }

    @Test
    void aReplicaPromotedBehindTheRoutersBackIsNeverUsedAsAReplica() throws Exception {
        Topology topology = topologyExtension.topology();
        Endpoint replica = topology.replicas("eu-west").get(0);
        assertThat(select(Intent.READ).endpoint()).isEqualTo(replica.name());

        topology.promote(replica);

        await().atMost(Duration.ofSeconds(30)).until(() -> state(replica.name()).health()
                == EndpointState.Health.WRONG_ROLE);
        assertThat(state(replica.name()).lastError()).contains("not in recovery");
        for (int i = 0; i < 5; i++) {
            RoutingDecision read = select(Intent.READ);
            assertThat(read.endpoint()).isEqualTo("eu-west-primary");
            assertThat(read.reason()).isEqualTo(Reason.PRIMARY_FALLBACK);
        }
    }

    @Test
    void aDownHomeFailsWritesFastAndDegradedModeServesMarkedReads() throws Exception {
        Topology topology = topologyExtension.topology();
        Endpoint primary = topology.primary("eu-west");
        Endpoint replica = topology.replicas("eu-west").get(0);
        try (Connection c = topology.connect(primary); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (body text)");
        }
        PartitionMap map = TopologyRouting.map(topology, Map.of());
        try (RoutingDataSource degraded = RoutingDataSource.create(TopologyRouting.config(topology, "eu-west")
                .degradedReads(Duration.ofMinutes(5)).build(), () -> map)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> degraded.endpointStates().stream()
                    .allMatch(EndpointState::usable));
            topology.pauseReplay(replica);
            RoutingContext writer = dataSource.router().forUser("carol").context();
            Routing.run(writer, () -> {
                try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO notes VALUES ('unreplicated')");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            topology.stop(primary);
            await().atMost(Duration.ofSeconds(30)).until(() -> state(primary.name()).health()
                    == EndpointState.Health.DOWN && degraded.endpointStates().get(0).health()
                    == EndpointState.Health.DOWN);

            assertThatThrownBy(() -> select(Intent.WRITE)).isInstanceOf(HomeUnavailableException.class)
                    .hasMessageContaining("eu-west-primary: DOWN")
                    .satisfies(e -> assertThat(((HomeUnavailableException) e).retryAfter())
                            .isEqualTo(Duration.ofSeconds(1)));
            // Read-your-writes cannot be honoured: the replica is behind the token and the primary is down.
            assertThatThrownBy(() -> dataSource.router().forUser("carol").tokens(writer.tokens())
                    .intent(Intent.READ).call(() -> readDecision(dataSource)))
                    .isInstanceOf(HomeUnavailableException.class);
            RoutingDecision served = dataSource.router().forUser("carol").tokens(writer.tokens())
                    .intent(Intent.READ).call(() -> readDecision(degraded));
            assertThat(served.reason()).isEqualTo(Reason.DEGRADED_REPLICA);
            assertThat(served.token()).isEqualTo(RoutingDecision.TokenOutcome.UNMET);
            assertThat(served.endpoint()).isEqualTo(replica.name());
        } finally {
            topology.resumeReplay(replica);
        }
    }

    private static RoutingDecision readDecision(RoutingDataSource source) throws SQLException {
        try (Connection c = source.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
            rs.next();
            return c.unwrap(RoutedConnection.class).decision().orElseThrow();
        }
    }

    @Test
    void twoWritableDatabasesQuarantineWritesButNotReads() throws Exception {
        Topology topology = topologyExtension.topology();
        Endpoint replica = topology.replicas("eu-west").get(0);
        assertThat(select(Intent.WRITE).endpoint()).isEqualTo("eu-west-primary");

        topology.promote(replica); // the old primary still runs: two databases accept writes

        await().atMost(Duration.ofSeconds(30)).until(() -> !state(replica.name()).inRecovery()
                && state(replica.name()).health() == EndpointState.Health.WRONG_ROLE);
        assertThatThrownBy(() -> select(Intent.WRITE))
                .isInstanceOf(SplitBrainException.class)
                .hasMessageContaining("2 databases accept writes (eu-west-primary, eu-west-replica-1)")
                .satisfies(e -> assertThat(((SplitBrainException) e).writableEndpoints()).hasSize(2));
        assertThat(dataSource.splitBrainRefusals()).isEqualTo(1);
        assertThat(select(Intent.READ).endpoint()).as("reads continue").isEqualTo("eu-west-primary");

        topology.stop(replica); // an operator ends it: one writable database again
        await().atMost(Duration.ofSeconds(30)).until(() -> state(replica.name()).health()
                == EndpointState.Health.DOWN);
        assertThat(select(Intent.WRITE).endpoint()).isEqualTo("eu-west-primary");
    }

    @Test
    void aPrimaryThatIsInRecoveryIsNeverWrittenTo() throws Exception {
        Topology topology = topologyExtension.topology();
        Endpoint primary = topology.primary("eu-west");
        Endpoint replica = topology.replicas("eu-west").get(0);
        // Roles swapped in the configuration: the "primary" is a standby and the "replica" is not in recovery.
        RouterConfig swapped = RouterConfig.builder().localSite(dev.domicile.partition.SiteId.of("eu-west"))
                .probeInterval(Duration.ofMillis(100)).probeTimeout(Duration.ofSeconds(1))
                .endpoint(new EndpointConfig("configured-primary", PartitionId.of("eu-west"),
                        dev.domicile.partition.SiteId.of("eu-west"), Role.PRIMARY, replica.jdbcUrl(), null, null))
                .endpoint(new EndpointConfig("configured-replica", PartitionId.of("eu-west"),
                        dev.domicile.partition.SiteId.of("eu-west"), Role.REPLICA, primary.jdbcUrl(), null, null))
                .build();
        PartitionMap map = TopologyRouting.map(topology, Map.of());
        try (RoutingDataSource wrong = RoutingDataSource.create(swapped, () -> map)) {
            assertThat(wrong.endpointStates()).allMatch(s -> s.health() == EndpointState.Health.WRONG_ROLE);
            assertThatThrownBy(() -> wrong.router().forUser("carol").run(() -> {
                try (Connection c = wrong.getConnection(); Statement s = c.createStatement()) {
                    s.execute("SELECT 1");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            })).hasCauseInstanceOf(NoRouteException.class)
                    .hasMessageContaining("configured-primary: WRONG_ROLE")
                    .hasMessageContaining("configured as PRIMARY but it is in recovery");
            assertThat(wrong.activeConnections().values()).allMatch(active -> active == 0);
        }
    }

    @Test
    void everyEndpointDownGivesATransientErrorListingEachOne() throws Exception {
        Topology topology = topologyExtension.topology();
        topology.endpoints().forEach(topology::stop);
        await().atMost(Duration.ofSeconds(30)).until(() -> dataSource.endpointStates().stream()
                .allMatch(s -> s.health() == EndpointState.Health.DOWN));
        assertThatThrownBy(() -> select(Intent.READ))
                .isInstanceOf(java.sql.SQLTransientConnectionException.class)
                .isInstanceOf(NoRouteException.class)
                .hasMessageContaining("eu-west-replica-1: DOWN")
                .hasMessageContaining("eu-west-primary: DOWN")
                .satisfies(e -> assertThat(((NoRouteException) e).attempts()).hasSize(2));
        topology.endpoints().forEach(topology::start);
        await().atMost(Duration.ofSeconds(30)).until(() -> dataSource.endpointStates().stream()
                .allMatch(EndpointState::usable));
        assertThat(select(Intent.READ).endpoint()).isEqualTo("eu-west-replica-1");
    }

    @Test
    void aDefaultPartitionServesConnectionsWithoutAContext() throws SQLException {
        Topology topology = topologyExtension.topology();
        PartitionMap map = TopologyRouting.map(topology, Map.of());
        try (RoutingDataSource withDefault = RoutingDataSource.create(TopologyRouting.config(topology, "eu-west")
                .defaultPartition(PartitionId.of("eu-west")).build(), () -> map);
             Connection c = withDefault.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            RoutingDecision decision = c.unwrap(RoutedConnection.class).decision().orElseThrow();
            assertThat(decision.reason()).isEqualTo(Reason.DEFAULT_PARTITION);
            assertThat(decision.endpoint()).isEqualTo("eu-west-primary");
            assertThat(decision.mapVersion()).isEqualTo(-1);
        }
    }

    @Test
    void aReplicaThatStopsMidQueryFailsThatQueryAndTheNextReadGoesElsewhere() throws Exception {
        Topology topology = topologyExtension.topology();
        Endpoint replica = topology.replicas("eu-west").get(0);
        dataSource.router().forUser("carol").intent(Intent.READ).run(() -> {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT 1");
                topology.kill(replica);
                assertThatThrownBy(() -> s.execute("SELECT pg_sleep(0.1)")).isInstanceOf(SQLException.class);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        RoutingDecision next = select(Intent.READ);
        assertThat(next.endpoint()).isEqualTo("eu-west-primary");
        topology.start(replica);
    }
}
