package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A promoted replica leaves recovery and accepts writes. */
class PromotionTest {

    @RegisterExtension
    static final TopologyExtension TOPOLOGY = new TopologyExtension(
            EmbeddedTopology.builder().site("eu-west").replicasPerSite(1).redis(false));

    @Test
    void promotedReplicaAcceptsWrites(Topology topology) throws SQLException {
        Endpoint primary = topology.primary("eu-west");
        Endpoint replica = topology.replicas("eu-west").get(0);
        ThreeSiteTopologyTest.execute(topology, primary, "CREATE TABLE accounts (id int PRIMARY KEY)");
        Lsn created = topology.currentLsn(primary);
        org.awaitility.Awaitility.await().until(() -> topology.replayLsn(replica).compareTo(created) >= 0);
        assertThatThrownBy(() -> ThreeSiteTopologyTest.execute(topology, replica, "INSERT INTO accounts VALUES (1)"))
                .isInstanceOf(SQLException.class).hasMessageContaining("read-only");

        topology.stop(primary);
        topology.promote(replica);

        assertThat(topology.inRecovery(replica)).isFalse();
        ThreeSiteTopologyTest.execute(topology, replica, "INSERT INTO accounts VALUES (1)");
        assertThat(ThreeSiteTopologyTest.queryString(topology, replica, "SELECT count(*)::text FROM accounts"))
                .isEqualTo("1");
    }

}
