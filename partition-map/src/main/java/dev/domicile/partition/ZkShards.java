package dev.domicile.partition;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading assignment shard documents: compiled for lookups, or raw for rewriting one user. */
final class ZkShards {

    /** The most bytes a shard document may hold; ZooKeeper's default request limit is 1 MiB. */
    static final int MAX_SHARD_BYTES = 768 * 1024;

    private ZkShards() {
    }

    /**
     * Compiles shard {@code shard} of {@code shardCount}.
     *
     * @throws InvalidPartitionMapException if the document is malformed, names an unknown partition, holds an invalid
     *                                      or misplaced key, or lists a key twice
     */
    static AssignmentShard compile(byte[] data, int shard, int shardCount, List<Partition> partitions,
            String source) {
        Map<PartitionId, Integer> indexes = PartitionMap.indexesOf(partitions);
        Map<String, Integer> byName = new LinkedHashMap<>();
        indexes.forEach((id, index) -> byName.put(id.value(), index));
        AssignmentShard.Builder builder = new AssignmentShard.Builder();
        Set<String> seen = new HashSet<>();
        MapJson.readShard(data, source, (key, partition) -> {
            Integer index = byName.get(partition);
            if (index == null) {
                throw new InvalidPartitionMapException(source + ": names unknown partition '" + partition
                        + "'; known partitions: " + byName.keySet());
            }
            if (!seen.add(key)) {
                throw new InvalidPartitionMapException(source + ": lists a user key twice");
            }
            hash(key, source, (routing, check) -> {
                if (Assignments.shardOf(routing, shardCount) != shard) {
                    throw new InvalidPartitionMapException(source + ": holds a user key that belongs in shard "
                            + Assignments.shardOf(routing, shardCount));
                }
                builder.add(routing, check, index);
                return 0;
            });
        });
        return builder.build();
    }

    /** The raw content of a shard document, user key to partition, for rewriting it. */
    static Map<String, PartitionId> raw(byte[] data, String source) {
        Map<String, PartitionId> raw = new LinkedHashMap<>();
        MapJson.readShard(data, source, (key, partition) -> raw.put(key, PartitionId.of(partition)));
        return raw;
    }

    private static void hash(String key, String source, KeyHash.Sink sink) {
        try {
            KeyHash.hash(key, sink);
        } catch (InvalidUserKeyException e) {
            throw new InvalidPartitionMapException(source + ": " + e.getMessage(), e);
        }
    }

    /** @throws InvalidPartitionMapException if the document would exceed {@link #MAX_SHARD_BYTES} */
    static byte[] checkedSize(byte[] document, String path) {
        if (document.length > MAX_SHARD_BYTES) {
            throw new InvalidPartitionMapException("shard " + path + " would hold " + document.length
                    + " bytes, above the limit of " + MAX_SHARD_BYTES + "; initialize the map with more shards");
        }
        return document;
    }
}
