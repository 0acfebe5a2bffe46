package dev.domicile.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionMapTest {

    static PartitionMapDefinition twoSites() {
        return PartitionMapDefinition.builder()
                .sites("eu-west", "us-east")
                .partition(Partition.of("eu", "eu-west", "us-east"))
                .partition(Partition.of("us", "us-east", "eu-west"))
                .rule(new Rule.Attribute("country", Set.of("DE", "FR"), PartitionId.of("eu")))
                .rule(new Rule.Prefix("acme:", PartitionId.of("us")))
                .assign("alice", "us")
                .build();
    }

    @Test
    void resolvesAssignmentThenRuleThenHash() {
        PartitionMap map = PartitionMap.of(twoSites());

        Home alice = map.homeOf("alice", Map.of("country", "DE"));
        assertThat(alice.partitionId()).isEqualTo(PartitionId.of("us"));
        assertThat(alice.source()).isEqualTo(Home.Source.ASSIGNMENT);
        assertThat(alice.mapVersion()).isEqualTo(1);
        assertThat(alice.site()).isEqualTo(SiteId.of("us-east"));

        Home bob = map.homeOf("bob", Map.of("country", "FR"));
        assertThat(bob.partitionId()).isEqualTo(PartitionId.of("eu"));
        assertThat(bob.source()).isEqualTo(Home.Source.RULE);

        assertThat(map.homeOf("acme:carol", Map.of("country", "US")).source()).isEqualTo(Home.Source.RULE);
        assertThat(map.homeOf("acme:carol", Map.of("country", "US")).partitionId().value()).isEqualTo("us");
        assertThat(map.homeOf("dave").source()).isEqualTo(Home.Source.HASH);
    }

    /**
     * "Aa" and "BB" share a {@code String.hashCode()}, so every string made of eleven such pairs shares one too: 2,048
     * keys alike in everything a weak hash sees. Half are assigned (alternately to both partitions); every lookup must
     * still find exactly its own assignment, and the other half none.
     */
    @Test
    void keysSharingAStringHashAreToldApartExactly() {
        java.util.List<String> colliding = new java.util.ArrayList<>();
        for (int bits = 0; bits < 1 << 11; bits++) {
            StringBuilder key = new StringBuilder();
            for (int i = 0; i < 11; i++) {
                key.append((bits >>> i & 1) == 0 ? "Aa" : "BB");
            }
            colliding.add(key.toString());
        }
        assertThat(colliding.stream().mapToInt(String::hashCode).distinct().count()).isEqualTo(1);
        PartitionMapDefinition.Builder builder = PartitionMapDefinition.builder()
                .sites("eu-west", "us-east")
                .partition(Partition.of("eu", "eu-west", "us-east"))
                .partition(Partition.of("us", "us-east", "eu-west"));
        for (int i = 0; i < colliding.size(); i += 2) {
            builder.assign(colliding.get(i), (i / 2) % 2 == 0 ? "eu" : "us");
        }
        PartitionMap map = PartitionMap.of(builder.build());

        for (int i = 0; i < colliding.size(); i++) {
            Home home = map.homeOf(new String(colliding.get(i).toCharArray()));
            if (i % 2 == 0) {
                assertThat(home.source()).as(colliding.get(i)).isEqualTo(Home.Source.ASSIGNMENT);
                assertThat(home.partitionId().value()).as(colliding.get(i)).isEqualTo((i / 2) % 2 == 0 ? "eu" : "us");
            } else {
                assertThat(home.source()).as(colliding.get(i)).isEqualTo(Home.Source.HASH);
            }
        }
    }

    @Test
    void rulesAreTriedInDeclaredOrder() {
        PartitionMap map = PartitionMap.of(twoSites());
        Home home = map.homeOf("acme:erin", Map.of("country", "DE"));
        assertThat(home.partitionId().value()).as("the country rule is declared first").isEqualTo("eu");
    }

    @Test
    void hashedHomesAreStableAcrossSnapshotsWithTheSamePartitions() {
        PartitionMap first = PartitionMap.of(twoSites());
        PartitionMap second = PartitionMap.of(twoSites().apply(new MapChange.ReplaceRules(java.util.List.of())));
        for (int i = 0; i < 10_000; i++) {
            String key = "user-" + i;
            assertThat(second.homeOf(key).partition()).isEqualTo(first.homeOf(key).partition());
        }
        assertThat(second.version()).isEqualTo(2);
    }

    @Test
    void weightsShareHashedUsers() {
        PartitionMapDefinition definition = PartitionMapDefinition.builder().sites("a", "b")
                .partition(Partition.of("heavy", "a").withWeight(3))
                .partition(Partition.of("light", "b"))
                .build();
        PartitionMap map = PartitionMap.of(definition);
        int heavy = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            if (map.homeOf("u" + i).partitionId().value().equals("heavy")) {
                heavy++;
            }
        }
        assertThat(heavy / (double) n).isBetween(0.73, 0.77);
    }

    @Test
    void lookupsDoNotAllocate() {
        PartitionMap map = PartitionMap.of(twoSites());
        String[] keys = new String[1024];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "user-" + i;
        }
        keys[7] = "alice";
        keys[9] = "acme:x";
        Map<String, String> attributes = Map.of("country", "DE");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += map.homeOf(keys[i & 1023], attributes).mapVersion();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink += map.homeOf(keys[i & 1023]).mapVersion();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isPositive();
        assertThat(allocated).as("bytes allocated by 100,000 lookups").isLessThan(1024);
    }

    @Test
    void aBadKeyFailsTheLookup() {
        PartitionMap map = PartitionMap.of(twoSites());
        assertThatThrownBy(() -> map.homeOf("bad\u0000key")).isInstanceOf(InvalidUserKeyException.class);
        assertThatThrownBy(() -> map.homeOf("x".repeat(300))).isInstanceOf(InvalidUserKeyException.class);
    }

    @Test
    void describesItselfAndItsPartitions() {
        PartitionMap map = PartitionMap.of(twoSites());
        assertThat(map.assignmentCount()).isEqualTo(1);
        assertThat(map.partition(PartitionId.of("eu")).home()).isEqualTo(SiteId.of("eu-west"));
        assertThat(map.partition(PartitionId.of("eu")).failover()).containsExactly(SiteId.of("us-east"));
        assertThatThrownBy(() -> map.partition(PartitionId.of("ap"))).hasMessageContaining("has no partition ap");
        assertThat(map).hasToString("PartitionMap[version 1, 2 partitions, 2 rules, 1 assignments]");
    }
}
