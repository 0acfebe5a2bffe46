package dev.domicile.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePartitionMapStoreTest {

    @TempDir
    Path directory;

    @Test
    void changesArePersistedAndSurviveReopening() {
        Path file = directory.resolve("map.json");
        List<Long> versions = new ArrayList<>();
        try (FilePartitionMapStore store = FilePartitionMapStore.create(file, PartitionMapTest.twoSites())) {
            store.addListener(new PartitionMapListener() {
                @Override
                public void onUpdate(PartitionMap previous, PartitionMap current) {
                    versions.add(current.version());
                }
            });
            long v2 = store.apply(new MapChange.AssignUser("bob", PartitionId.of("us")), 1);
            store.apply(new MapChange.AddSite(SiteId.of("ap-south")), v2);
            store.apply(new MapChange.AddPartition(Partition.of("ap", "ap-south")), 3);
            assertThat(store.current().version()).isEqualTo(4);
        }
        assertThat(versions).containsExactly(2L, 3L, 4L);
        try (FilePartitionMapStore reopened = FilePartitionMapStore.open(file)) {
            PartitionMap map = reopened.current();
            assertThat(map.version()).isEqualTo(4);
            assertThat(map.homeOf("bob").partitionId().value()).isEqualTo("us");
            assertThat(map.homeOf("alice").source()).isEqualTo(Home.Source.ASSIGNMENT);
            assertThat(map.homeOf("x", Map.of("country", "DE")).partitionId().value()).isEqualTo("eu");
            assertThat(map.partitions()).hasSize(3);
            assertThat(reopened.stale()).isFalse();
        }
    }

    @Test
    void aChangeBasedOnAnOldVersionFails() {
        try (FilePartitionMapStore store = FilePartitionMapStore.create(directory.resolve("m.json"),
                PartitionMapTest.twoSites())) {
            store.apply(new MapChange.AssignUser("bob", PartitionId.of("us")), 1);
            assertThatThrownBy(() -> store.apply(new MapChange.AssignUser("carol", PartitionId.of("us")), 1))
                    .isInstanceOf(ConcurrentChangeException.class)
                    .hasMessage("assigning a user to partition us was based on map version 1 but the map is now at"
                            + " version 2; re-read the map and retry");
            assertThatThrownBy(() -> store.apply(new MapChange.AssignUser("carol", PartitionId.of("ap")), 2))
                    .isInstanceOf(InvalidPartitionMapException.class);
            assertThat(store.current().version()).isEqualTo(2);
        }
    }

    @Test
    void aMalformedFileIsReportedWithItsProblem() throws IOException {
        Path file = directory.resolve("bad.json");
        Files.writeString(file, "{\"version\": 1, \"sites\": [\"eu-west\"], \"partitions\": [{\"id\": \"eu\","
                + " \"home\": \"eu-west\", \"weight\": -2}]}");
        assertThatThrownBy(() -> FilePartitionMapStore.open(file))
                .isInstanceOf(InvalidPartitionMapException.class)
                .hasMessageContaining("partition eu has weight -2");
        Files.writeString(file, "{\"version\": 1, \"sites\": ");
        assertThatThrownBy(() -> FilePartitionMapStore.open(file))
                .isInstanceOf(InvalidPartitionMapException.class)
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void snapshotsRoundTripACompiledMap() throws IOException {
        PartitionMap map = PartitionMap.of(PartitionMapTest.twoSites()
                .apply(new MapChange.AssignUser("bob", PartitionId.of("eu"))));
        Path file = directory.resolve("snapshot.bin");
        SnapshotFile.write(file, map);
        PartitionMap read = SnapshotFile.read(file);
        assertThat(read.version()).isEqualTo(map.version());
        assertThat(read.assignmentCount()).isEqualTo(2);
        assertThat(read.homeOf("bob").source()).isEqualTo(Home.Source.ASSIGNMENT);
        assertThat(read.homeOf("alice").partitionId().value()).isEqualTo("us");
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> SnapshotFile.read(file)).isInstanceOf(IOException.class);
    }
}
