package dev.domicile.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packing shard tables into chunks: lookups, sharing chunks between versions, snapshots. */
class AssignmentsTest {

    private static final int SHARDS = Assignments.DEFAULT_SHARDS;

    @TempDir
    Path directory;

    @Test
    void aChangeToOneShardCopiesOnlyItsChunkAndLookupsStayExact() {
        Map<String, Integer> users = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            users.put("user-" + i, i % 3);
        }
        Assignments before = build(users);
        Map<String, Integer> expectedBefore = new HashMap<>(users);

        String mover = "user-7";
        int changed = Assignments.shardOf(KeyHash.routing(mover), SHARDS);
        String newcomer = keyInShard("new-", changed);
        users.put(mover, (users.get(mover) + 1) % 3);
        users.put(newcomer, 2);
        AssignmentShard[] next = before.shardsCopy();
        next[changed] = table(users, changed);
        Assignments after = Assignments.of(next);

        int changedChunk = changed / Assignments.SHARDS_PER_CHUNK;
        for (int i = 0; i < SHARDS; i++) {
            if (i / Assignments.SHARDS_PER_CHUNK == changedChunk) {
                assertThat(after.chunkOf(i)).as("chunk of shard %d", i).isNotSameAs(before.chunkOf(i));
            } else {
                assertThat(after.chunkOf(i)).as("chunk of shard %d", i).isSameAs(before.chunkOf(i));
                assertThat(after.shard(i)).as("shard %d", i).isSameAs(before.shard(i));
            }
            assertThat(after.shard(i).size() == 0 || after.shard(i).array() == after.chunkOf(i))
                    .as("shard %d is a view into its chunk", i).isTrue();
        }
        assertThat(after.size()).isEqualTo(before.size() + 1);
        assertExact(after, users);
        assertExact(before, expectedBefore);
        assertThat(find(before, newcomer)).isEqualTo(-1);
    }

    @Test
    void shardsThatEmptyOrFillStayExactAndAllEmptyGroupsShareOneChunk() {
        Map<String, Integer> users = new HashMap<>();
        String first = keyInShard("a-", 3);
        users.put(first, 1);
        users.put(keyInShard("b-", 5), 0);
        Assignments before = build(users);
        assertThat(before.chunkOf(SHARDS - 1)).isSameAs(AssignmentShard.EMPTY_CHUNK);
        assertExact(before, users);
        assertThat(find(before, keyInShard("c-", 4))).isEqualTo(-1);

        users.remove(first);
        String filler = keyInShard("d-", 4);
        users.put(filler, 1);
        AssignmentShard[] next = before.shardsCopy();
        next[3] = table(users, 3);
        next[4] = table(users, 4);
        Assignments after = Assignments.of(next);
        assertThat(after.shard(3)).isSameAs(AssignmentShard.EMPTY);
        assertThat(after.chunkOf(SHARDS - 1)).isSameAs(before.chunkOf(SHARDS - 1));
        assertExact(after, users);
        assertThat(find(after, first)).isEqualTo(-1);
        assertThat(find(before, filler)).isEqualTo(-1);

        next = after.shardsCopy();
        for (int i = 0; i < Assignments.SHARDS_PER_CHUNK; i++) {
            next[i] = AssignmentShard.EMPTY;
        }
        Assignments none = Assignments.of(next);
        assertThat(none.chunkOf(0)).isSameAs(AssignmentShard.EMPTY_CHUNK);
        assertThat(none.size()).isZero();
        assertThat(find(none, filler)).isEqualTo(-1);
    }

    @Test
    void aSnapshotReadsBackTheSameTablesAndWritesTheSameBytes() throws IOException {
        Map<String, PartitionId> assigned = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            assigned.put("user-" + i, PartitionId.of(i % 2 == 0 ? "eu" : "us"));
        }
        PartitionMapDefinition base = PartitionMapTest.twoSites();
        PartitionMap map = PartitionMap.of(new PartitionMapDefinition(1, base.sites(), base.partitions(),
                base.rules(), assigned));
        Path file = directory.resolve("snapshot.bin");
        SnapshotFile.write(file, map);
        PartitionMap read = SnapshotFile.read(file);
        Path again = directory.resolve("again.bin");
        SnapshotFile.write(again, read);
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(file));
        for (int i = 0; i < SHARDS; i++) {
            assertThat(bytes(read.assignments().shard(i))).isEqualTo(bytes(map.assignments().shard(i)));
        }
        assertThat(read.assignments().arrayBytes()).isEqualTo(map.assignments().arrayBytes());
        assigned.forEach((key, partition) -> assertThat(read.homeOf(key).partitionId()).isEqualTo(partition));
        assertThat(read.homeOf("user-20000").source()).isNotEqualTo(Home.Source.ASSIGNMENT);
    }

    private static Assignments build(Map<String, Integer> users) {
        Assignments.Builder builder = new Assignments.Builder(SHARDS);
        users.forEach(builder::add);
        return builder.build();
    }

    /** Shard {@code shard}'s table of {@code users}, built on its own as the ZooKeeper store builds a changed one. */
    private static AssignmentShard table(Map<String, Integer> users, int shard) {
        AssignmentShard.Builder builder = new AssignmentShard.Builder();
        users.forEach((key, partition) -> KeyHash.hash(key, (routing, check) -> {
            if (Assignments.shardOf(routing, SHARDS) == shard) {
                builder.add(routing, check, partition);
            }
            return 0;
        }));
        return builder.build();
    }

    private static String keyInShard(String prefix, int shard) {
        for (int i = 0; ; i++) {
            if (Assignments.shardOf(KeyHash.routing(prefix + i), SHARDS) == shard) {
                return prefix + i;
            }
        }
    }

    private static int find(Assignments assignments, String key) {
        return (int) KeyHash.hash(key, assignments::find);
    }

    private static void assertExact(Assignments assignments, Map<String, Integer> users) {
        assertThat(assignments.size()).isEqualTo(users.size());
        users.forEach((key, partition) -> assertThat(find(assignments, key)).as(key).isEqualTo(partition));
        for (int i = 0; i < 10_000; i++) {
            assertThat(find(assignments, "absent-" + i)).isEqualTo(-1);
        }
    }

    private static byte[] bytes(AssignmentShard shard) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            shard.writeTo(out);
        }
        return bytes.toByteArray();
    }
}
