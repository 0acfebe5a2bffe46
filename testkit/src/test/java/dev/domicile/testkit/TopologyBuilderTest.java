package dev.domicile.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Builder misuse fails fast, before any server starts, with a message naming the problem. */
class TopologyBuilderTest {

    private static TopologyBuilder builder() {
        return EmbeddedTopology.builder().provider(TopologyProvider.EMBEDDED);
    }

    @Test
    void noSites() {
        assertThatThrownBy(() -> builder().start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one site");
    }

    @Test
    void duplicateSiteName() {
        assertThatThrownBy(() -> builder().site("eu-west").site("eu-west").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate site name 'eu-west'");
    }

    @Test
    void duplicatePartitionName() {
        assertThatThrownBy(() -> builder().site("a", "p").site("b", "p").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate partition name 'p'");
    }

    @Test
    void invalidName() {
        assertThatThrownBy(() -> builder().site("EU West").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("site name 'EU West' is invalid");
    }

    @Test
    void replicaOfUnknownPartition() {
        assertThatThrownBy(() -> builder().site("eu-west").replicas("us-east", "eu-west", 1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("replica of unknown partition 'us-east'");
    }

    @Test
    void replicaInUnknownSite() {
        assertThatThrownBy(() -> builder().site("eu-west").replicas("eu-west", "mars", 1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown site 'mars'");
    }

    @Test
    void negativeReplicas() {
        assertThatThrownBy(() -> builder().site("eu-west").replicasPerSite(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replicasPerSite must be >= 0");
        assertThatThrownBy(() -> builder().site("eu-west").replicas("eu-west", "eu-west", -2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be >= 0, was -2");
    }

    @Test
    void synchronousReplicaThatIsNotPlaced() {
        assertThatThrownBy(() -> builder().site("eu-west").site("us-east").replicasPerSite(0)
                .synchronousReplica("eu-west", "us-east").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no replica of that partition is placed in that site");
    }

    @Test
    void evenZooKeeperEnsemble() {
        assertThatThrownBy(() -> builder().site("eu-west").zooKeeperServers(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zooKeeperServers must be 1, 3 or 5");
    }

    @Test
    void containerProvidersRunPrimariesOnly() {
        assertThatThrownBy(() -> builder().site("eu-west").provider(TopologyProvider.POSTGRES_CONTAINERS).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runs primaries only");
    }

    @Test
    void unknownProviderProperty() {
        String previous = System.getProperty(TopologyProvider.PROPERTY);
        System.setProperty(TopologyProvider.PROPERTY, "kubernetes");
        try {
            assertThatThrownBy(TopologyProvider::fromSystemProperty)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("domicile.topology='kubernetes'");
        } finally {
            if (previous == null) {
                System.clearProperty(TopologyProvider.PROPERTY);
            } else {
                System.setProperty(TopologyProvider.PROPERTY, previous);
            }
        }
    }

    @Test
    void defaultsPlaceOneLocalReplicaPerSite() {
        TopologySpec spec = builder().site("eu-west").site("us-east").replicas("eu-west", "us-east", 2).build();
        assertThat(spec.replicas()).containsExactly(
                new TopologySpec.Replica("eu-west", "eu-west", 1),
                new TopologySpec.Replica("us-east", "us-east", 1),
                new TopologySpec.Replica("eu-west", "us-east", 2));
        assertThat(spec.zooKeeperServers()).isEqualTo(1);
        assertThat(spec.redis()).isTrue();
    }
}
