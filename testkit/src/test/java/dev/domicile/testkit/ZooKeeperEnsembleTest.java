package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A three-server ZooKeeper ensemble keeps serving when one server stops. */
class ZooKeeperEnsembleTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").replicasPerSite(0).redis(false).zooKeeperServers(3));

    @Test
    void survivesTheLossOfOneServer(Topology topology) throws Exception {
        assertThat(topology.zooKeeperConnectString().split(",")).hasSize(3);
        try (CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(topology.zooKeeperConnectString("eu-west"))
                .sessionTimeoutMs(8_000).connectionTimeoutMs(4_000)
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 2_000)).build()) {
            client.start();
            assertThat(client.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
            client.create().forPath("/before", "1".getBytes(StandardCharsets.UTF_8));

            topology.stopZooKeeper(0);
            try {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                        client.create().orSetData().forPath("/during", "2".getBytes(StandardCharsets.UTF_8)));
                assertThat(new String(client.getData().forPath("/before"), StandardCharsets.UTF_8)).isEqualTo("1");
            } finally {
                topology.startZooKeeper(0);
            }
        }
    }
}
