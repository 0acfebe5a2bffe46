package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults injected into real servers: cut links, stopped and killed servers, expired ZooKeeper sessions. */
class TopologyFaultsTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(
            EmbeddedTopology.builder().site("eu-west").site("us-east").replicasPerSite(1));

    private static Connection connectVia(String url, int socketTimeoutSeconds) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        return DriverManager.getConnection(url, properties);
    }

    private static int selectOne(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void blackholedLinkMakesAClientTimeOutAndHealingRestoresIt(Topology topology) throws SQLException {
        Endpoint primary = topology.primary("eu-west");
        String url = topology.jdbcUrl("us-east", primary);
        Link link = topology.link("us-east", primary);
        try (Connection open = connectVia(url, 2)) {
            assertThat(selectOne(open)).isEqualTo(1);
            link.blackhole();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> selectOne(open)).isInstanceOf(SQLException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("failed by the 2 s socket timeout, not at once")
                    .isGreaterThanOrEqualTo(1_900);
            assertThatThrownBy(() -> connectVia(url, 2).close()).isInstanceOf(SQLException.class);
        } finally {
            link.heal();
        }
        try (Connection fresh = connectVia(url, 10)) {
            assertThat(selectOne(fresh)).isEqualTo(1);
        }
        // The link is per (site, endpoint): the direct address and other sites never saw the fault.
        try (Connection direct = topology.connect(primary)) {
            assertThat(selectOne(direct)).isEqualTo(1);
        }
    }

    @Test
    void cuttingTheReplicationLinkStopsReplayUntilHealed(Topology topology) throws SQLException {
        Endpoint primary = topology.primary("us-east");
        Endpoint replica = topology.replicas("us-east").get(0);
        Link replication = topology.link(replica.site(), primary);
        replication.blackhole();
        try {
            ThreeSiteTopologyTest.execute(topology, primary, "CREATE TABLE cut (id int)");
            Lsn written = topology.currentLsn(primary);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> topology.replayLsn(replica).compareTo(written) < 0);
        } finally {
            replication.heal();
        }
        Lsn written = topology.currentLsn(primary);
        await().atMost(Duration.ofSeconds(60)).until(() -> topology.replayLsn(replica).compareTo(written) >= 0);
    }

    @Test
    void stoppedAndKilledPrimariesComeBackWithTheirData(Topology topology) throws SQLException {
        Endpoint primary = topology.primary("eu-west");
        ThreeSiteTopologyTest.execute(topology, primary, "CREATE TABLE durable (v text)");
        ThreeSiteTopologyTest.execute(topology, primary, "INSERT INTO durable VALUES ('before stop')");
        topology.stop(primary);
        assertThatThrownBy(() -> topology.connect(primary).close()).isInstanceOf(SQLException.class);
        topology.start(primary);
        ThreeSiteTopologyTest.execute(topology, primary, "INSERT INTO durable VALUES ('before kill')");
        topology.kill(primary);
        assertThatThrownBy(() -> topology.connect(primary).close()).isInstanceOf(SQLException.class);
        topology.start(primary);
        assertThat(ThreeSiteTopologyTest.queryString(topology, primary, "SELECT count(*)::text FROM durable"))
                .isEqualTo("2");
        // The replica reconnects to the restarted primary and catches up.
        Endpoint replica = topology.replicas("eu-west").get(0);
        Lsn written = topology.currentLsn(primary);
        await().atMost(Duration.ofSeconds(60)).until(() -> topology.replayLsn(replica).compareTo(written) >= 0);
    }

    @Test
    void redisKeepsItsDataAcrossARestart(Topology topology) throws Exception {
        RedisNode redis = topology.redis("us-east");
        assertThat(redis.host()).isEqualTo("127.0.0.1");
        assertThat(Resp.call(redis.host(), redis.port(), "SET", "user:42:home", "us-east")).isEqualTo("OK");
        topology.stopRedis("us-east");
        assertThatThrownBy(() -> Resp.call(redis.host(), redis.port(), "PING")).isInstanceOf(java.io.IOException.class);
        topology.startRedis("us-east");
        assertThat(Resp.call(redis.host(), redis.port(), "GET", "user:42:home")).isEqualTo("us-east");
        // The other site's Redis is a different server.
        RedisNode other = topology.redis("eu-west");
        assertThat(Resp.call(other.host(), other.port(), "GET", "user:42:home")).isNull();
    }

    @Test
    void redisKeepsAcknowledgedWritesAcrossAKill(Topology topology) throws Exception {
        RedisNode redis = topology.redis("eu-west");
        assertThat(Resp.call(redis.host(), redis.port(), "SET", "user:7:home", "eu-west")).isEqualTo("OK");
        topology.killRedis("eu-west");
        assertThatThrownBy(() -> Resp.call(redis.host(), redis.port(), "PING")).isInstanceOf(java.io.IOException.class);
        topology.startRedis("eu-west");
        assertThat(Resp.call(redis.host(), redis.port(), "GET", "user:7:home")).isEqualTo("eu-west");
    }

    @Test
    void zooKeeperSessionExpiryIsSeenAsLostAndTheClientRecovers(Topology topology) throws Exception {
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        try (CuratorFramework client = curator(topology.zooKeeperConnectString())) {
            client.getConnectionStateListenable().addListener((c, state) -> states.add(state));
            client.start();
            assertThat(client.blockUntilConnected(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();

            topology.expireZkSession(client);

            await().atMost(Duration.ofSeconds(30)).until(() -> states.contains(ConnectionState.LOST));
            await().atMost(Duration.ofSeconds(30)).until(() -> states.lastIndexOf(ConnectionState.RECONNECTED)
                    > states.indexOf(ConnectionState.LOST));
            assertThat(client.getZookeeperClient().getZooKeeper().getSessionId()).isNotEqualTo(session);
        }
    }

    @Test
    void blackholedZooKeeperLinkSuspendsTheClientAndHealingReconnectsIt(Topology topology) throws Exception {
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        Link link = topology.zooKeeperLink("eu-west");
        try (CuratorFramework client = curator(topology.zooKeeperConnectString("eu-west"))) {
            client.getConnectionStateListenable().addListener((c, state) -> states.add(state));
            client.start();
            assertThat(client.blockUntilConnected(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            link.blackhole();
            await().atMost(Duration.ofSeconds(30)).until(() -> states.contains(ConnectionState.SUSPENDED));
            link.heal();
            await().atMost(Duration.ofSeconds(60)).until(() -> states.lastIndexOf(ConnectionState.RECONNECTED)
                    > states.indexOf(ConnectionState.SUSPENDED));
        } finally {
            link.heal();
        }
    }

    private static CuratorFramework curator(String connectString) {
        return CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(6_000)
                .connectionTimeoutMs(4_000)
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 2_000))
                .build();
    }
}
