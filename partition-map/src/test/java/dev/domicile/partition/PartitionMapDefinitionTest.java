package dev.domicile.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionMapDefinitionTest {

    private static PartitionMapDefinition.Builder base() {
        return PartitionMapDefinition.builder().sites("eu-west", "us-east")
                .partition(Partition.of("eu", "eu-west", "us-east"))
                .partition(Partition.of("us", "us-east"));
    }

    @Test
    void rejectsAMapWithoutPartitionsOrSites() {
        assertThatThrownBy(() -> PartitionMapDefinition.builder().sites("eu-west").build())
                .isInstanceOf(InvalidPartitionMapException.class)
                .hasMessage("a partition map needs at least one partition");
        assertThatThrownBy(() -> PartitionMapDefinition.builder().build())
                .hasMessage("a partition map needs at least one site");
    }

    @Test
    void rejectsUnknownSites() {
        assertThatThrownBy(() -> base().partition(Partition.of("ap", "ap-south")).build())
                .isInstanceOf(InvalidPartitionMapException.class)
                .hasMessageStartingWith("partition ap has unknown home site ap-south");
        assertThatThrownBy(() -> base().partition(Partition.of("ap", "eu-west", "mars")).build())
                .hasMessageStartingWith("partition ap has unknown failover site mars");
    }

    @Test
    void rejectsUnknownPartitionsInRulesAndAssignments() {
        assertThatThrownBy(() -> base().rule(new Rule.Prefix("x:", PartitionId.of("ap"))).build())
                .isInstanceOf(InvalidPartitionMapException.class)
                .hasMessageContaining("names unknown partition ap");
        assertThatThrownBy(() -> base().assign("alice", "ap").build())
                .hasMessageStartingWith("an assignment names unknown partition ap");
    }

    @Test
    void rejectsOverlappingRules() {
        assertThatThrownBy(() -> base()
                .rule(new Rule.Attribute("country", Set.of("DE", "FR"), PartitionId.of("eu")))
                .rule(new Rule.Attribute("country", Set.of("US", "FR"), PartitionId.of("us"))).build())
                .isInstanceOf(InvalidPartitionMapException.class)
                .hasMessage("rules 0 and 1 overlap: both match country=FR");
        assertThatThrownBy(() -> base()
                .rule(new Rule.Prefix("acme:", PartitionId.of("eu")))
                .rule(new Rule.Prefix("acme:eu:", PartitionId.of("us"))).build())
                .hasMessage("rules 0 and 1 overlap: prefixes 'acme:' and 'acme:eu:'");
    }

    @Test
    void rejectsBadPartitionsAndNames() {
        assertThatThrownBy(() -> Partition.of("eu", "eu-west").withWeight(0))
                .hasMessage("partition eu has weight 0: weights must be positive");
        assertThatThrownBy(() -> Partition.of("eu", "eu-west", "eu-west"))
                .hasMessage("partition eu lists its home site eu-west among its failover sites");
        assertThatThrownBy(() -> base().partition(Partition.of("eu", "us-east")).build())
                .hasMessage("partition eu is listed twice");
        assertThatThrownBy(() -> SiteId.of("EU West")).hasMessageStartingWith("site id 'EU West' is invalid");
        assertThatThrownBy(() -> base().version(0).build()).hasMessageStartingWith("map version 0 is invalid");
    }

    @Test
    void rejectsInvalidAssignedKeys() {
        assertThatThrownBy(() -> base().assign("tab\tkey", "eu").build())
                .isInstanceOf(InvalidUserKeyException.class);
        assertThatThrownBy(() -> new MapChange.AssignUser("", PartitionId.of("eu")))
                .isInstanceOf(InvalidUserKeyException.class);
    }

    @Test
    void everyChangeBumpsTheVersionAndLeavesTheOriginalAlone() {
        PartitionMapDefinition v1 = base().build();
        PartitionMapDefinition v2 = v1.apply(new MapChange.AssignUser("alice", PartitionId.of("us")));
        PartitionMapDefinition v3 = v2.apply(new MapChange.AddSite(SiteId.of("ap-south")));
        PartitionMapDefinition v4 = v3.apply(new MapChange.AddPartition(Partition.of("ap", "ap-south")));
        PartitionMapDefinition v5 = v4.apply(new MapChange.ReplaceRules(
                List.of(new Rule.Prefix("a", PartitionId.of("ap")))));
        assertThat(List.of(v1, v2, v3, v4, v5)).extracting(PartitionMapDefinition::version)
                .containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(v1.assignments()).isEmpty();
        assertThat(v2.assignments()).isEqualTo(Map.of("alice", PartitionId.of("us")));
        assertThat(v5.partitions()).hasSize(3);
        assertThat(v5.rules()).hasSize(1);
    }

    @Test
    void aRejectedChangeLeavesTheMapInForce() {
        PartitionMapDefinition v1 = base().build();
        assertThatThrownBy(() -> v1.apply(new MapChange.AddPartition(Partition.of("ap", "ap-south"))))
                .isInstanceOf(InvalidPartitionMapException.class);
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.partitions()).hasSize(2);
    }
}
