package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.SiteId;
import dev.domicile.router.RoutingDecision.Reason;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import dev.domicile.testkit.TopologyProvider;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CockroachDB dialect on a real CockroachDB node (Testcontainers provider of the testkit, locality
 * {@code region=eu-west}), through the router: gateways verified by region, writes and present-time reads on the
 * local gateway, follower reads for ANY and loose bounds, {@code with_max_staleness} lookups, {@code crdb_region}
 * values from the partition map, and retried serialization failures. Skipped, with the reason, where no Docker
 * engine runs.
 */
class CockroachRoutingTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").replicasPerSite(0).redis(false).provider(TopologyProvider.COCKROACHDB_CONTAINERS));

    private static boolean schemaReady;

    private RoutingDataSource dataSource;
    private Endpoint node;

    @BeforeEach
    void open() throws SQLException {
        Topology topology = TOPOLOGY.topology();
        node = topology.primary("eu-west");
        synchronized (CockroachRoutingTest.class) {
            if (!schemaReady) {
                try (Connection c = topology.connect(node); Statement s = c.createStatement()) {
                    s.execute(CockroachSql.setPrimaryRegion(node.database(), "eu-west"));
                    s.execute("CREATE TABLE notes (owner STRING PRIMARY KEY, body STRING NOT NULL)");
                    s.execute(CockroachSql.regionalByRow("notes"));
                    s.execute(SerializationConflict.CREATE);
                }
                schemaReady = true;
            }
        }
        String url = topology.jdbcUrl("eu-west", node);
        RouterConfig config = RouterConfig.builder().localSite(SiteId.of("eu-west")).dialect(Dialect.COCKROACHDB)
                .probeInterval(Duration.ofMillis(200)).probeTimeout(Duration.ofSeconds(2))
                .connectionTimeout(Duration.ofSeconds(5)).maxPoolSize(4)
                .endpoint(EndpointConfig.gateway("gw-eu", SiteId.of("eu-west"), url, node.user(), null))
                // the same node declared in another site: its region does not match, so it is never used
                .endpoint(EndpointConfig.gateway("gw-misplaced", SiteId.of("us-east"), url, node.user(), null))
                .build();
        PartitionMap map = TopologyRouting.map(topology, Map.of());
        dataSource = RoutingDataSource.create(config, () -> map);
        await().atMost(Duration.ofSeconds(30)).until(() -> state("gw-eu").usable());
    }

    @AfterEach
    void close() {
        if (dataSource != null) {
            assertThat(dataSource.activeConnections().values()).allMatch(active -> active == 0);
            dataSource.close();
        }
    }

    private EndpointState state(String name) {
        return dataSource.endpointStates().stream().filter(s -> s.endpoint().name().equals(name)).findFirst()
                .orElseThrow();
    }

    /** Runs {@code sql} for {@code user} at {@code consistency}; returns the first column of the first row, or null. */
    private Result query(String user, Intent intent, Consistency consistency, String sql) throws Exception {
        return dataSource.router().forUser(user).intent(intent).consistency(consistency).call(() -> {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(sql)) {
                return new Result(rs.next() ? rs.getString(1) : null,
                        c.unwrap(RoutedConnection.class).decision().orElseThrow());
            }
        });
    }

    private record Result(String value, RoutingDecision decision) {
    }

    private void write(String owner, String body) throws Exception {
        dataSource.router().forUser(owner).call(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement upsert = c.prepareStatement(
                    "UPSERT INTO notes (owner, body, crdb_region) VALUES (?, ?, " + CockroachSql.REGION_PARAMETER
                            + ")")) {
                upsert.setString(1, owner);
                upsert.setString(2, body);
                upsert.setString(3, dataSource.regions().regionOf(Routing.current().orElseThrow()));
                upsert.executeUpdate();
                RoutingDecision decision = c.unwrap(RoutedConnection.class).decision().orElseThrow();
                assertThat(decision.reason()).isEqualTo(Reason.GATEWAY);
                assertThat(decision.endpoint()).isEqualTo("gw-eu");
                assertThat(decision.intent()).isEqualTo(Intent.WRITE);
                return null;
            }
        });
    }

    @Test
    void aGatewayInAnotherRegionThanItsSiteIsNeverUsed() {
        await().atMost(Duration.ofSeconds(30)).until(() -> state("gw-misplaced").health()
                == EndpointState.Health.WRONG_ROLE);
        assertThat(state("gw-misplaced").lastError()).contains("site us-east").contains("'eu-west'");
        assertThat(state("gw-eu").health()).isEqualTo(EndpointState.Health.UP);
    }

    @Test
    void writesAndPresentTimeReadsUseTheLocalGatewayAndSeeTheWriteAtOnce() throws Exception {
        write("alice", "hello");

        for (Consistency level : new Consistency[] {Consistency.READ_YOUR_WRITES, Consistency.STRONG,
                Consistency.boundedStaleness(Duration.ofMillis(1))}) {
            Result read = query("alice", Intent.READ, level, "SELECT body FROM notes WHERE owner = 'alice'");
            assertThat(read.value()).isEqualTo("hello");
            assertThat(read.decision().reason()).isEqualTo(Reason.GATEWAY);
            assertThat(read.decision().endpoint()).isEqualTo("gw-eu");
            assertThat(read.decision().token()).isEqualTo(RoutingDecision.TokenOutcome.NOT_APPLICABLE);
        }
        assertThat(dataSource.routerStatements()).isZero();     // no token to record or wait for
        assertThat(query("alice", Intent.READ, Consistency.STRONG,
                "SELECT crdb_region::STRING FROM notes WHERE owner = 'alice'").value())
                .isEqualTo(dataSource.regions().regionOf(SiteId.of("eu-west")));
    }

    @Test
    void aReadCannotWrite() {
        assertThatThrownBy(() -> query("alice", Intent.READ, Consistency.STRONG,
                "INSERT INTO notes (owner, body) VALUES ('mallory', 'x') RETURNING owner"))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
    }

    @Test
    void anyReadsAreFollowerReadsAndSeeWritesOnceTheyAreOldEnough() throws Exception {
        write("bob", "follow me");

        Result session = query("bob", Intent.READ, Consistency.ANY, "SHOW default_transaction_use_follower_reads");
        assertThat(session.value()).isEqualTo("on");
        assertThat(session.decision().reason()).isEqualTo(Reason.FOLLOWER_READ);
        assertThat(session.decision().replicaLag()).isBetween(Duration.ofMillis(100), Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(60)).until(() -> "follow me".equals(query("bob", Intent.READ,
                Consistency.ANY, "SELECT body FROM notes WHERE owner = 'bob'").value()));
    }

    @Test
    void boundedStalenessUsesFollowerReadsOnlyWhenTheBoundAllowsThem() throws Exception {
        Duration follower = query("carol", Intent.READ, Consistency.ANY, "SELECT 1").decision().replicaLag();

        RoutingDecision loose = query("carol", Intent.READ, Consistency.boundedStaleness(follower.plusSeconds(30)),
                "SELECT 1").decision();
        RoutingDecision tight = query("carol", Intent.READ, Consistency.boundedStaleness(Duration.ofMillis(10)),
                "SELECT 1").decision();

        assertThat(loose.reason()).isEqualTo(Reason.FOLLOWER_READ);
        assertThat(tight.reason()).isEqualTo(Reason.GATEWAY);
        assertThat(tight.replicaLag()).isZero();
    }

    @Test
    void aSingleRowLookupCanUseWithMaxStaleness() throws Exception {
        write("dave", "bounded");
        String sql = "SELECT body FROM notes "
                + CockroachSql.asOfSystemTime(Consistency.boundedStaleness(Duration.ofSeconds(10)))
                + " WHERE crdb_region = 'eu-west' AND owner = 'dave'";   // one row by its whole primary key
        await().atMost(Duration.ofSeconds(30)).until(() -> "bounded".equals(
                query("dave", Intent.READ, Consistency.STRONG, sql).value()));
    }

    @Test
    void serializationFailuresAreRetriedWhereTheCallerAllowsIt() throws Exception {
        try (Connection c = TOPOLOGY.topology().connect(node)) {
            SerializationConflict.reset(c);
        }
        SerializationConflict conflict = new SerializationConflict(dataSource,
                () -> TOPOLOGY.topology().connect(node), 1);

        int written = dataSource.router().forUser("erin").retryingSerializationFailures(3).call(conflict::increment);

        assertThat(conflict.attempts).hasValue(2);
        assertThat(written).isEqualTo(2);
    }
}
