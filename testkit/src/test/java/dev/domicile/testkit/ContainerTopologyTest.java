package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The container providers behind the same {@link Topology} interface. Where no Docker engine runs, the extension
 * skips these tests and says why.
 */
class ContainerTopologyTest {

    static void writesAndReadsOnEveryPrimary(Topology topology) throws SQLException {
        for (String partition : topology.partitions()) {
            Endpoint primary = topology.primary(partition);
            ThreeSiteTopologyTest.execute(topology, primary, "CREATE TABLE homes (user_key text PRIMARY KEY)");
            ThreeSiteTopologyTest.execute(topology, primary, "INSERT INTO homes VALUES ('" + partition + "-user')");
            assertThat(ThreeSiteTopologyTest.queryString(topology, primary, "SELECT user_key FROM homes"))
                    .isEqualTo(partition + "-user");
        }
        assertThat(topology.redis("eu-west").uri()).startsWith("redis://127.0.0.1:");
        assertThat(topology.zooKeeperConnectString()).isNotBlank();
        assertThatThrownBy(() -> topology.stop(topology.primary("eu-west")))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("embedded provider");
    }

    @Nested
    class PostgresContainers {

        @RegisterExtension
        static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
                .site("eu-west").site("us-east").replicasPerSite(0).provider(TopologyProvider.POSTGRES_CONTAINERS));

        @Test
        void primariesServeEachSite(Topology topology) throws SQLException {
            writesAndReadsOnEveryPrimary(topology);
        }
    }

    @Nested
    class CockroachContainers {

        @RegisterExtension
        static final TopologyExtension TOPOLOGY = new TopologyExtension(EmbeddedTopology.builder()
                .site("eu-west").site("us-east").replicasPerSite(0).provider(TopologyProvider.COCKROACHDB_CONTAINERS));

        @Test
        void primariesServeEachSite(Topology topology) throws SQLException {
            writesAndReadsOnEveryPrimary(topology);
        }
    }
}
