package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.router.RoutingDecision.Reason;
import dev.domicile.router.RoutingDecision.TokenOutcome;
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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The router at site us-east over real servers: eu-west's partition has a primary and a replica in eu-west and a
 * cross-region replica in us-east; us-east's partition has a primary and a replica in us-east. Alice lives in
 * eu-west, Bob in us-east.
 */
class RoutingDataSourceTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").site("us-east").replicasPerSite(1).replicas("eu-west", "us-east", 1).redis(false));

    private static RoutingDataSource dataSource;
    private static Router router;
    private static final List<RoutingDecision> DECISIONS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void open() throws SQLException {
        Topology topology = TOPOLOGY.topology();
        PartitionMap map = TopologyRouting.map(topology, Map.of("alice", "eu-west", "bob", "us-east"));
        dataSource = RoutingDataSource.create(TopologyRouting.config(topology, "us-east").build(), () -> map);
        dataSource.addListener(DECISIONS::add);
        router = dataSource.router();
        for (String partition : topology.partitions()) {
            execute(topology.primary(partition), "CREATE TABLE notes (id serial PRIMARY KEY, owner text, body text)");
        }
    }

    @AfterAll
    static void close() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    @AfterEach
    void noConnectionLeaks() {
        assertThat(dataSource.activeConnections().values()).allMatch(active -> active == 0);
    }

    private static void execute(Endpoint endpoint, String sql) throws SQLException {
        try (Connection c = TOPOLOGY.topology().connect(endpoint); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Inserts a note as the bound user and returns the decision of the connection. */
    private static RoutingDecision insert(String owner, String body) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO notes (owner, body) VALUES ('" + owner + "', '" + body + "')");
            return c.unwrap(RoutedConnection.class).decision().orElseThrow();
        }
    }

    private record Read(RoutingDecision decision, long count, int serverPort) {
    }

    private static Read countNotes(String owner, String body) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), inet_server_port()"
                    + " FROM notes WHERE owner = '" + owner + "' AND body = '" + body + "'")) {
                rs.next();
                return new Read(c.unwrap(RoutedConnection.class).decision().orElseThrow(), rs.getLong(1), rs.getInt(2));
            }
        }
    }

    private static Endpoint endpoint(String name) {
        return TOPOLOGY.topology().endpoint(name);
    }

    @Test
    void writesLandOnTheHomePrimaryAndReadsOnALocalReplica() throws Exception {
        RoutingDecision write = router.forUser("alice").call(() -> insert("alice", "w1"));
        assertThat(write.reason()).isEqualTo(Reason.WRITE_TO_PRIMARY);
        assertThat(write.endpoint()).isEqualTo("eu-west-primary");
        assertThat(write.mapVersion()).isEqualTo(1);

        RoutingDecision bobWrite = router.forUser("bob").call(() -> insert("bob", "w1"));
        assertThat(bobWrite.endpoint()).isEqualTo("us-east-primary");

        Read read = router.forUser("alice").call(() -> countNotes("alice", "w1"));
        assertThat(read.decision().reason()).isEqualTo(Reason.LOCAL_REPLICA);
        assertThat(read.decision().endpoint()).isEqualTo("eu-west-replica-us-east-1");
        assertThat(read.serverPort()).isEqualTo(endpoint("eu-west-replica-us-east-1").port());
        assertThat(read.count()).isEqualTo(1);
    }

    @Test
    void aReadAfterAWriteSeesItInTheSameAndInALaterRequest() throws Exception {
        RoutingContext first = router.forUser("alice").context();
        Routing.call(first, () -> insert("alice", "ryw"));
        // Same request: the token advanced on commit, so the read sees the write.
        Read same = Routing.call(first, () -> countNotes("alice", "ryw"));
        assertThat(same.count()).isEqualTo(1);

        // A later request carries the token, e.g. in a session or header.
        CausalTokens carried = CausalTokens.parse(first.tokens().encode());
        assertThat(carried.positionOf(PartitionId.of("eu-west"))).isPositive();
        Read later = router.forUser("alice").tokens(carried).call(() -> countNotes("alice", "ryw"));
        assertThat(later.count()).isEqualTo(1);
        assertThat(later.decision().token()).isIn(TokenOutcome.MET, TokenOutcome.WAITED);
    }

    @Test
    void aCaughtUpReplicaSatisfiesTheTokenWithoutAnExtraStatement() throws Exception {
        RoutingContext writer = router.forUser("alice").context();
        Routing.call(writer, () -> insert("alice", "caught-up"));
        long token = writer.tokens().positionOf(PartitionId.of("eu-west"));
        await().atMost(Duration.ofSeconds(30)).until(() -> dataSource.endpointStates().stream()
                .filter(s -> s.endpoint().name().equals("eu-west-replica-us-east-1"))
                .allMatch(s -> s.reached(token)));

        long before = dataSource.routerStatements();
        Read read = router.forUser("alice").tokens(writer.tokens()).call(() -> countNotes("alice", "caught-up"));
        assertThat(read.decision().token()).isEqualTo(TokenOutcome.MET);
        assertThat(read.decision().endpoint()).isEqualTo("eu-west-replica-us-east-1");
        assertThat(read.count()).isEqualTo(1);
        assertThat(dataSource.routerStatements() - before).isZero();
    }

    @Test
    void withReplayPausedAReadWaitsThenFallsBackAndIsNeverStale() throws Exception {
        Topology topology = TOPOLOGY.topology();
        List<Endpoint> replicas = topology.replicas("eu-west");
        replicas.forEach(topology::pauseReplay);
        try {
            RoutingContext writer = router.forUser("alice").context();
            Routing.call(writer, () -> insert("alice", "paused"));
            Read read = router.forUser("alice").tokens(writer.tokens()).call(() -> countNotes("alice", "paused"));
            assertThat(read.count()).as("never a stale read").isEqualTo(1);
            assertThat(read.decision().reason()).isEqualTo(Reason.PRIMARY_FALLBACK);
            assertThat(read.decision().token()).isEqualTo(TokenOutcome.FELL_BACK);
            assertThat(read.decision().waited()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
            assertThat(read.serverPort()).isEqualTo(topology.primary("eu-west").port());

            // With only the local replica behind, the home site's replica serves it.
            topology.resumeReplay(replicas.get(0));
            long token = writer.tokens().positionOf(PartitionId.of("eu-west"));
            await().atMost(Duration.ofSeconds(30)).until(() -> state(replicas.get(0).name()).reached(token));
            Read home = router.forUser("alice").tokens(writer.tokens()).call(() -> countNotes("alice", "paused"));
            assertThat(home.count()).isEqualTo(1);
            assertThat(home.decision().reason()).isEqualTo(Reason.HOME_SITE_REPLICA);
            assertThat(home.decision().endpoint()).isEqualTo(replicas.get(0).name());
        } finally {
            replicas.forEach(topology::resumeReplay);
        }
    }

    @Test
    void boundedStalenessExcludesALaggingReplica() throws Exception {
        Topology topology = TOPOLOGY.topology();
        Endpoint local = topology.endpoint("us-east-replica-1");
        topology.pauseReplay(local);
        try {
            router.forUser("bob").call(() -> insert("bob", "stale-1"));
            Consistency halfSecond = Consistency.boundedStaleness(Duration.ofMillis(500));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Read read = router.forUser("bob").consistency(halfSecond).call(() -> countNotes("bob", "stale-1"));
                assertThat(read.decision().reason()).isEqualTo(Reason.PRIMARY_FALLBACK);
                assertThat(read.count()).isEqualTo(1);
            });
            Read any = router.forUser("bob").consistency(Consistency.ANY).call(() -> countNotes("bob", "stale-1"));
            assertThat(any.decision().endpoint()).isEqualTo(local.name());
            assertThat(any.count()).as("ANY accepts the lagging replica").isZero();
        } finally {
            topology.resumeReplay(local);
        }
    }

    @Test
    void aReplicaCutByTheProxyIsMarkedDownAndReadsContinue() throws Exception {
        Topology topology = TOPOLOGY.topology();
        Endpoint local = topology.endpoint("us-east-replica-1");
        Link link = topology.link("us-east", local);
        link.blackhole();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> state(local.name()).health()
                    == EndpointState.Health.DOWN);
            Read read = router.forUser("bob").consistency(Consistency.ANY).call(() -> countNotes("bob", "none"));
            assertThat(read.decision().reason()).isEqualTo(Reason.PRIMARY_FALLBACK);
        } finally {
            link.heal();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> state(local.name()).health() == EndpointState.Health.UP);
        Read read = router.forUser("bob").consistency(Consistency.ANY).call(() -> countNotes("bob", "none"));
        assertThat(read.decision().endpoint()).isEqualTo(local.name());
    }

    private static EndpointState state(String endpoint) {
        return dataSource.endpointStates().stream().filter(s -> s.endpoint().name().equals(endpoint)).findFirst()
                .orElseThrow();
    }

    @Test
    void readOnlySetAfterGetConnectionStillRoutesAsARead() throws Exception {
        RoutingDecision decision = router.forUser("bob").call(() -> {
            try (Connection c = dataSource.getConnection()) {
                c.setReadOnly(true); // after getConnection, as Spring does
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1");
                }
                return c.unwrap(RoutedConnection.class).decision().orElseThrow();
            }
        });
        assertThat(decision.intent()).isEqualTo(Intent.READ);
        assertThat(decision.endpoint()).isEqualTo("us-east-replica-1");
    }

    @Test
    void settingsMadeBeforeTheFirstStatementApplyWhenItBinds() throws Exception {
        router.forUser("bob").run(() -> {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                c.setReadOnly(true);
                c.unwrap(RoutedConnection.class).consistency(Consistency.STRONG);
                assertThat(c.getTransactionIsolation()).as("before binding").isEqualTo(
                        Connection.TRANSACTION_SERIALIZABLE);
                assertThat(c.isReadOnly()).isTrue();
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT current_setting('transaction_isolation'),"
                             + " current_setting('transaction_read_only')")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("serializable");
                    assertThat(rs.getString(2)).isEqualTo("on");
                }
                RoutingDecision decision = c.unwrap(RoutedConnection.class).decision().orElseThrow();
                assertThat(decision.intent()).isEqualTo(Intent.READ);
                assertThat(decision.consistency()).isEqualTo(Consistency.STRONG);
                assertThat(decision.endpoint()).as("a STRONG read goes to the primary").isEqualTo("us-east-primary");
                assertThat(c.getAutoCommit()).isFalse();
                c.rollback();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aTransactionNeverSwitchesEndpoints() throws Exception {
        router.forUser("bob").run(() -> {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO notes (owner, body) VALUES ('bob', 'tx')");
                }
                RoutedConnection routed = c.unwrap(RoutedConnection.class);
                assertThat(routed.decision().orElseThrow().endpoint()).isEqualTo("us-east-primary");
                assertThatThrownBy(() -> c.setReadOnly(true)).isInstanceOf(SQLException.class)
                        .hasMessageContaining("inside a transaction");
                c.commit();
                // Between transactions the connection may move: now it reads from the replica.
                c.setReadOnly(true);
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1");
                }
                assertThat(routed.decision().orElseThrow().endpoint()).isEqualTo("us-east-replica-1");
                c.commit();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aBoundConnectionThatWasClosedOrAbortedRefusesStatementsAndReturnsItsPhysicalOne() throws Exception {
        router.forUser("bob").intent(Intent.READ).run(() -> {
            try {
                Connection closed = dataSource.getConnection();
                closed.createStatement().close();
                closed.close();
                assertThatThrownBy(closed::createStatement).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
                Connection aborted = dataSource.getConnection();
                aborted.prepareStatement("SELECT 1").close();
                aborted.abort(Runnable::run);
                assertThatThrownBy(() -> aborted.prepareStatement("SELECT 1")).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10))
                .until(() -> dataSource.activeConnections().values().stream().mapToInt(Integer::intValue).sum() == 0);
    }

    @Test
    void aWriteOnAConnectionDeclaredReadOnlyFails() {
        assertThatThrownBy(() -> router.forUser("bob").intent(Intent.READ).consistency(Consistency.STRONG)
                .call(() -> insert("bob", "nope")))
                .isInstanceOf(SQLException.class).hasMessageContaining("read-only");
        assertThatThrownBy(() -> router.forUser("bob").intent(Intent.READ).call(() -> insert("bob", "nope")))
                .isInstanceOf(SQLException.class).hasMessageContaining("read-only");
    }

    @Test
    void withoutAContextAConnectionFailsAndSaysHowToBindOne() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class)
                    .hasMessageContaining("no routing context").hasMessageContaining("router.forUser");
        }
    }

    @Test
    void contextsPropagateOnlyWhereTheyAreCarried() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Executor propagating = Routing.propagating(pool);
            String seen = router.forUser("alice").call(() -> {
                java.util.concurrent.CompletableFuture<String> f = new java.util.concurrent.CompletableFuture<>();
                propagating.execute(() -> f.complete(Routing.current().map(RoutingContext::userKey).orElse("none")));
                return f.get();
            });
            assertThat(seen).isEqualTo("alice");
            // The pool thread does not keep it, and neither does this thread.
            assertThat(pool.submit(() -> Routing.current().isPresent()).get()).isFalse();
            assertThat(Routing.current()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void decisionsAreCountedAndDelivered() {
        assertThat(dataSource.decisionCounts().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(DECISIONS.size());
    }
}
