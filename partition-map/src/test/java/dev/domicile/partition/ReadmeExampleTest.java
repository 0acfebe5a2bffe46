package dev.domicile.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The example of the module README, kept compiling and running. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleRunsAndPrintsWhatItSays() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Example.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines())
                .containsExactly("eu at eu-west by RULE from map version 1",
                        "Home[partition=Partition[id=us, home=us-east, failover=[eu-west], weight=1], mapVersion=2,"
                                + " source=ASSIGNMENT] now, version 2");
    }

    static class Example {
        public static void main(String[] args) throws Exception {
            PartitionMapDefinition definition = PartitionMapDefinition.builder()
                    .sites("eu-west", "us-east")
                    .partition(Partition.of("eu", "eu-west", "us-east"))   // home eu-west, fails over to us-east
                    .partition(Partition.of("us", "us-east", "eu-west"))
                    .rule(new Rule.Attribute("country", Set.of("DE", "FR"), PartitionId.of("eu")))  // residency
                    .rule(new Rule.Prefix("acme:", PartitionId.of("us")))                           // a tenant
                    .assign("alice", "us")                                                          // a user who moved
                    .build();
            Path file = Files.createTempDirectory("domicile").resolve("partition-map.json");
            try (PartitionMapStore store = FilePartitionMapStore.create(file, definition)) {
                Home home = store.current().homeOf("bob", Map.of("country", "DE"));
                System.out.println(home.partitionId() + " at " + home.site() + " by " + home.source()
                        + " from map version " + home.mapVersion());            // eu at eu-west by RULE from map version 1

                long version = store.apply(new MapChange.AssignUser("bob", PartitionId.of("us")),
                        store.current().version());                            // compare-and-set on the version
                System.out.println(store.current().homeOf("bob") + " now, version " + version);
            }
            Files.delete(file);
            Files.delete(file.getParent());
        }
    }
}
