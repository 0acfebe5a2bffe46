package dev.domicile.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domicile.authority.AuthorityConfig;
import dev.domicile.authority.AuthorityStore;
import dev.domicile.authority.AuthorityWatcher;
import dev.domicile.authority.Fence;
import dev.domicile.authority.RetryHint;
import dev.domicile.authority.WriteAdmission;
import dev.domicile.partition.PartitionId;
import dev.domicile.partition.PartitionMap;
import dev.domicile.partition.SiteId;
import dev.domicile.testkit.EmbeddedTopology;
import dev.domicile.testkit.Endpoint;
import dev.domicile.testkit.Link;
import dev.domicile.testkit.Topology;
import dev.domicile.testkit.TopologyExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The router with authority on: writes admitted by ZooKeeper authority, stamped with the epoch, fenced by the
 * database. The router runs in eu-west; Alice lives in eu-west, Bob in us-east. Each test gets a fresh topology.
 */
class FencedWritesTest {

    private static final PartitionId EU = PartitionId.of("eu-west");
    private static final byte[] CREDENTIALS = "domicile:router-secret".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final TopologyExtension topologyExtension = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").site("us-east").replicasPerSite(0).redis(false));

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private RoutingDataSource dataSource;
    private WriteAdmission admission;

    private CuratorFramework client(AuthorityConfig config, String connectString) throws InterruptedException {
        CuratorFramework client = config.curatorBuilder(connectString).authorization("digest", CREDENTIALS).build();
        resources.push(client);
        client.start();
        assertThat(client.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
        return client;
    }

    @BeforeEach
    void open() throws Exception {
        Topology topology = topologyExtension.topology();
        AuthorityConfig config = AuthorityConfig.builder().rootPath("/domicile/authority").localSite("eu-west")
                .routerId("eu-west-1").sites("eu-west", "us-east")
                .failoverOrder("eu-west", "eu-west", "us-east").failoverOrder("us-east", "us-east", "eu-west")
                .sessionTimeout(Duration.ofSeconds(5)).connectionTimeout(Duration.ofSeconds(2))
                .safetyMargin(Duration.ofSeconds(1)).build();
        AuthorityStore store = AuthorityStore.of(client(config, topology.zooKeeperConnectString()), config);
        for (String partition : topology.partitions()) {
            store.initialize(PartitionId.of(partition), SiteId.of(partition));
            try (Connection c = topology.connect(topology.primary(partition)); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE notes (id serial PRIMARY KEY, owner text, body text)");
                Fence.install(c, partition, 1);
                Fence.fenceTable(c, "notes");
            }
        }
        AuthorityWatcher watcher = AuthorityWatcher.start(client(config, topology.zooKeeperConnectString("eu-west")),
                config);
        resources.push(watcher);
        admission = WriteAdmission.start(watcher);
        resources.push(admission);
        await().atMost(Duration.ofSeconds(30)).until(() -> admission.admits(EU));
        PartitionMap map = TopologyRouting.map(topology, Map.of("alice", "eu-west", "bob", "us-east"));
        dataSource = RoutingDataSource.create(TopologyRouting.config(topology, "eu-west").build(), () -> map,
                admission);
        resources.push(dataSource);
    }

    @AfterEach
    void close() throws Exception {
        try {
            assertThat(dataSource.activeConnections().values()).allMatch(active -> active == 0);
        } finally {
            while (!resources.isEmpty()) {
                resources.pop().close();
            }
        }
    }

    private RoutingDecision insert(String user, String body) throws Exception {
        return dataSource.router().forUser(user).call(() -> {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO notes (owner, body) VALUES ('" + user + "', '" + body + "')");
                return c.unwrap(RoutedConnection.class).decision().orElseThrow();
            }
        });
    }

    private long count(String partition, String body) throws SQLException {
        Topology topology = topologyExtension.topology();
        try (Connection c = topology.connect(topology.primary(partition)); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notes WHERE body = '" + body + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void admittedWritesCarryTheEpochAndAreStampedOnlyWhenTheConnectionChanges() throws Exception {
        RoutingDecision first = insert("alice", "w0");
        assertThat(first.epoch()).isEqualTo(1);
        assertThat(first.endpoint()).isEqualTo("eu-west-primary");
        long before = dataSource.routerStatements();
        for (int i = 1; i <= 10; i++) {
            insert("alice", "w" + i);
        }
        long added = dataSource.routerStatements() - before;
        // One WAL-position read per write for the causal token; stamps only for connections not yet stamped.
        assertThat(added - 10).as("epoch stamps for 10 writes").isBetween(0L, 4L);
        assertThat(count("eu-west", "w10")).isEqualTo(1);
    }

    @Test
    void aWriteForAPartitionOwnedElsewhereIsRefusedBeforeReachingADatabase() {
        assertThatThrownBy(() -> insert("bob", "elsewhere"))
                .isInstanceOf(WriteRefusedException.class)
                .satisfies(e -> assertThat(((WriteRefusedException) e).refusal().hint())
                        .isEqualTo(RetryHint.FORWARD_TO_OWNER));
    }

    @Test
    void aStaleEpochIsRefusedByTheDatabaseItself() throws Exception {
        Topology topology = topologyExtension.topology();
        insert("alice", "before");
        // Another owner fenced the database at epoch 2; ZooKeeper has not told this router yet.
        try (Connection admin = topology.connect(topology.primary("eu-west"))) {
            Fence.bump(admin, 2, Duration.ofSeconds(5));
        }
        assertThatThrownBy(() -> insert("alice", "stale"))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(Fence.STALE_EPOCH));
        assertThat(count("eu-west", "stale")).as("writes wrongly accepted").isZero();
    }

    /**
     * The same with the fence in privileges mode: the router's stamp switches its sessions to the epoch's role, and
     * after the bump that role may no longer write, whether the session was stamped before (42501) or after (DM001).
     */
    @Test
    void aStaleEpochIsRefusedByAFenceInPrivilegesModeToo() throws Exception {
        Topology topology = topologyExtension.topology();
        try (Connection admin = topology.connect(topology.primary("eu-west")); Statement s = admin.createStatement()) {
            s.execute("CREATE ROLE notes_app NOLOGIN");
            s.execute("GRANT ALL ON notes, notes_id_seq TO notes_app");
            Fence.usePrivileges(admin, "notes_app");
        }
        long before = dataSource.routerStatements();
        for (int i = 0; i < 5; i++) {
            assertThat(insert("alice", "privileged " + i).epoch()).isEqualTo(1);
        }
        assertThat(dataSource.routerStatements() - before - 5).as("epoch stamps for 5 writes").isBetween(1L, 4L);
        try (Connection admin = topology.connect(topology.primary("eu-west"))) {
            Fence.bump(admin, 2, Duration.ofSeconds(5));
        }
        for (int i = 0; i < 3; i++) {
            String body = "stale " + i;
            assertThatThrownBy(() -> insert("alice", body))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isIn("42501", Fence.STALE_EPOCH));
        }
        assertThat(count("eu-west", "privileged 4")).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(count("eu-west", "stale " + i)).as("writes wrongly accepted").isZero();
        }
    }

    @Test
    void losingZooKeeperStopsWritesAndAbortsTheOpenTransaction() throws Exception {
        Topology topology = topologyExtension.topology();
        Link zooKeeper = topology.zooKeeperLink("eu-west");
        RoutingContext context = dataSource.router().forUser("alice").context();
        try (Connection open = Routing.call(context, dataSource::getConnection)) {
            open.setAutoCommit(false);
            try (Statement s = open.createStatement()) {
                s.executeUpdate("INSERT INTO notes (owner, body) VALUES ('alice', 'open')");
            }
            long cut = System.nanoTime();
            zooKeeper.blackhole();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> !admission.admits(EU));
                System.out.printf("FIGURE admission stopped %d ms after the ZooKeeper link was cut%n",
                        (System.nanoTime() - cut) / 1_000_000);
                assertThatThrownBy(open::commit).isInstanceOf(SQLException.class)
                        .hasMessageContaining("authority over partition eu-west was lost");
                assertThatThrownBy(() -> insert("alice", "while cut")).isInstanceOf(WriteRefusedException.class)
                        .satisfies(e -> assertThat(((WriteRefusedException) e).refusal().hint())
                                .isEqualTo(RetryHint.RETRY_LATER));
            } finally {
                zooKeeper.heal();
            }
        }
        assertThat(count("eu-west", "open")).as("the aborted transaction committed nothing").isZero();
        assertThat(count("eu-west", "while cut")).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> admission.admits(EU));
        assertThat(insert("alice", "after").epoch()).isEqualTo(1);
    }
}
