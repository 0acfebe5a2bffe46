package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A synchronous standby: a commit returns only once the standby has its WAL. */
class SynchronousReplicaTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
            .site("eu-west").site("us-east").replicasPerSite(0).replicas("eu-west", "us-east", 1)
            .synchronousReplica("eu-west", "us-east").redis(false));

    @Test
    void commitsWaitForTheSynchronousStandby(Topology topology) throws Exception {
        Endpoint primary = topology.primary("eu-west");
        Endpoint standby = topology.replicas("eu-west").get(0);
        assertThat(ThreeSiteTopologyTest.queryString(topology, primary,
                "SELECT sync_state FROM pg_stat_replication WHERE application_name = '" + standby.name() + "'"))
                .isEqualTo("sync");
        ThreeSiteTopologyTest.execute(topology, primary, "CREATE TABLE t (id int)");

        Link link = topology.link(standby.site(), primary);
        link.blackhole();
        CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> {
            try {
                ThreeSiteTopologyTest.execute(topology, primary, "INSERT INTO t VALUES (1)");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            org.awaitility.Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> !commit.isDone());
        } finally {
            link.heal();
        }
        commit.get(60, TimeUnit.SECONDS);
        assertThat(ThreeSiteTopologyTest.queryString(topology, standby, "SELECT count(*)::text FROM t"))
                .as("acknowledged, so already on the standby").isEqualTo("1");
    }
}
