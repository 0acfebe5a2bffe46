package dev.domicile.partition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The map document of the ZooKeeper store: the definition without assignments, plus the expected data version of
 * every assignment shard znode. A change to a user rewrites one shard and this document in one ZooKeeper transaction,
 * so a reader that sees this document knows which shards changed and which version of each to expect.
 */
record ZkHeader(PartitionMapDefinition definition, int[] shardVersions) {

    long version() {
        return definition.version();
    }

    int shardCount() {
        return shardVersions.length;
    }

    ZkHeader withChange(PartitionMapDefinition next, int shard, int shardVersion) {
        int[] versions = shardVersions.clone();
        if (shard >= 0) {
            versions[shard] = shardVersion;
        }
        return new ZkHeader(next, versions);
    }

    byte[] toBytes() {
        ObjectNode root = MapJson.write(definition);
        ArrayNode versions = root.putArray("shardVersions");
        for (int v : shardVersions) {
            versions.add(v);
        }
        return MapJson.bytes(root);
    }

    /** @throws InvalidPartitionMapException naming {@code source} and the problem */
    static ZkHeader parse(byte[] bytes, String source) {
        JsonNode root = MapJson.tree(bytes == null ? new byte[0] : bytes, source);
        if (root.has("assignments")) {
            throw new InvalidPartitionMapException(source + ": field 'assignments' does not belong in the map"
                    + " document; assignments live in the shard znodes");
        }
        JsonNode versions = root.path("shardVersions");
        if (!versions.isArray() || Integer.bitCount(versions.size()) != 1 || versions.size() < Assignments.MIN_SHARDS
                || versions.size() > Assignments.MAX_SHARDS) {
            throw new InvalidPartitionMapException(source + ": field 'shardVersions' must be an array whose length is"
                    + " a power of two from " + Assignments.MIN_SHARDS + " to " + Assignments.MAX_SHARDS);
        }
        int[] shardVersions = new int[versions.size()];
        for (int i = 0; i < shardVersions.length; i++) {
            JsonNode v = versions.get(i);
            if (!v.isInt() || v.asInt() < 0) {
                throw new InvalidPartitionMapException(source + ": shardVersions[" + i + "] must be a non-negative"
                        + " integer, was " + v);
            }
            shardVersions[i] = v.asInt();
        }
        return new ZkHeader(MapJson.read(root, source), shardVersions);
    }
}
