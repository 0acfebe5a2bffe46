package dev.domicile.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.UniqueElements;

class PartitionMapProperties {

    private static final PartitionMapDefinition BASE = PartitionMapDefinition.builder()
            .sites("eu-west", "us-east")
            .partition(Partition.of("eu", "eu-west"))
            .partition(Partition.of("us", "us-east"))
            .build();

    @Property(tries = 200)
    void theFirstMatchingLayerDecides(@ForAll @AlphaChars @StringLength(min = 1, max = 40) String key,
            @ForAll boolean assigned, @ForAll boolean ruleMatches, @ForAll boolean assignToEu) {
        PartitionId assignedTo = PartitionId.of(assignToEu ? "eu" : "us");
        PartitionMapDefinition definition = BASE
                .apply(new MapChange.ReplaceRules(List.of(
                        new Rule.Attribute("country", Set.of("DE"), PartitionId.of("us")))));
        if (assigned) {
            definition = definition.apply(new MapChange.AssignUser(key, assignedTo));
        }
        PartitionMap map = PartitionMap.of(definition);
        Map<String, String> attributes = Map.of("country", ruleMatches ? "DE" : "BR");

        Home home = map.homeOf(key, attributes);

        if (assigned) {
            assertThat(home.source()).isEqualTo(Home.Source.ASSIGNMENT);
            assertThat(home.partitionId()).isEqualTo(assignedTo);
        } else if (ruleMatches) {
            assertThat(home.source()).isEqualTo(Home.Source.RULE);
            assertThat(home.partitionId().value()).isEqualTo("us");
        } else {
            assertThat(home.source()).isEqualTo(Home.Source.HASH);
            assertThat(home.partition()).isEqualTo(PartitionMap.of(BASE).homeOf(key).partition());
        }
        assertThat(home.mapVersion()).isEqualTo(definition.version());
    }

    @Property(tries = 200)
    void assignedKeysAreFoundExactlyAndOthersAreNot(
            @ForAll @UniqueElements List<@StringLength(min = 1, max = 30) @AlphaChars String> keys) {
        int half = keys.size() / 2;
        PartitionMapDefinition definition = BASE;
        for (String key : keys.subList(0, half)) {
            definition = definition.apply(new MapChange.AssignUser(key, PartitionId.of("eu")));
        }
        PartitionMap map = PartitionMap.of(definition);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(map.homeOf(keys.get(i)).source())
                    .isEqualTo(i < half ? Home.Source.ASSIGNMENT : Home.Source.HASH);
        }
    }

    /** Adding a 4th partition of equal weight to 3 moves about a quarter of the users, all to the new partition. */
    @Property(tries = 4)
    void addingAFourthPartitionMovesAQuarterOfTheUsers(@ForAll("partitionNames") List<String> names,
            @ForAll @IntRange(min = 0, max = 1_000_000) int salt) {
        PartitionMapDefinition.Builder three = PartitionMapDefinition.builder().sites("s");
        for (String name : names.subList(0, 3)) {
            three.partition(Partition.of(name, "s"));
        }
        PartitionMapDefinition before = three.build();
        PartitionMapDefinition after = before.apply(new MapChange.AddPartition(Partition.of(names.get(3), "s")));
        PartitionMap oldMap = PartitionMap.of(before);
        PartitionMap newMap = PartitionMap.of(after);
        int keys = 1_000_000;
        int moved = 0;
        String prefix = "user-" + salt + "-";
        for (int i = 0; i < keys; i++) {
            String key = prefix + i;
            PartitionId was = oldMap.homeOf(key).partitionId();
            PartitionId is = newMap.homeOf(key).partitionId();
            if (!was.equals(is)) {
                moved++;
                assertThat(is.value()).as("a moved user moves to the new partition").isEqualTo(names.get(3));
            }
        }
        double share = moved / (double) keys;
        System.out.printf("hash stability: adding partition %s to %s moved %.2f%% of %,d keys%n", names.get(3),
                names.subList(0, 3), share * 100, keys);
        assertThat(share).isBetween(0.23, 0.27);
    }

    @Provide
    Arbitrary<List<String>> partitionNames() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12)
                .list().ofSize(4).uniqueElements();
    }

    @Property(tries = 100)
    void keysOverTheByteLimitAreRejected(@ForAll @IntRange(min = 1, max = 200) int extra) {
        String key = "é".repeat(128) + "x".repeat(extra);
        List<Throwable> failures = new ArrayList<>();
        try {
            PartitionMap.of(BASE).homeOf(key);
        } catch (InvalidUserKeyException e) {
            failures.add(e);
        }
        assertThat(failures).singleElement().extracting(Throwable::getMessage).asString()
                .contains((256 + extra) + " UTF-8 bytes");
    }
}
