package dev.domicile.partition;

import java.util.Arrays;

/**
 * Explicit user assignments, split into a fixed power-of-two number of {@link AssignmentShard}s by bits 40 and up of
 * the routing hash. The split matches the ZooKeeper store's shard znodes, so a change to one user rebuilds one shard.
 * Immutable.
 */
final class Assignments {

    static final int DEFAULT_SHARDS = 1024;
    static final int MIN_SHARDS = 256;
    static final int MAX_SHARDS = 1 << 16;

    private final AssignmentShard[] shards;
    private final long size;

    private Assignments(AssignmentShard[] shards, long size) {
        this.shards = shards;
        this.size = size;
    }

    /** No assignments, in {@code shardCount} shards. */
    static Assignments empty(int shardCount) {
        checkShardCount(shardCount);
        AssignmentShard[] shards = new AssignmentShard[shardCount];
        Arrays.fill(shards, AssignmentShard.EMPTY);
        return new Assignments(shards, 0);
    }

    /** Assignments made of {@code shards} (not copied), a power-of-two count. */
    static Assignments of(AssignmentShard[] shards) {
        checkShardCount(shards.length);
        long size = 0;
        for (AssignmentShard shard : shards) {
            size += shard.size();
        }
        return new Assignments(shards, size);
    }

    /** A copy of the shard array, for building the next version. */
    AssignmentShard[] shardsCopy() {
        return shards.clone();
    }

    static void checkShardCount(int shardCount) {
        if (shardCount < MIN_SHARDS || shardCount > MAX_SHARDS || Integer.bitCount(shardCount) != 1) {
            throw new IllegalArgumentException("shard count " + shardCount + " is invalid: use a power of two from "
                    + MIN_SHARDS + " to " + MAX_SHARDS);
        }
    }

    /** The shard that holds {@code routing}'s key among {@code shardCount}. */
    static int shardOf(long routing, int shardCount) {
        return (int) (routing >>> 40) & (shardCount - 1);
    }

    int shardCount() {
        return shards.length;
    }

    long size() {
        return size;
    }

    AssignmentShard shard(int index) {
        return shards[index];
    }

    long arrayBytes() {
        long total = 16L + shards.length * 4L;
        for (AssignmentShard shard : shards) {
            total += shard == AssignmentShard.EMPTY ? 0 : shard.arrayBytes() + 24;
        }
        return total;
    }

    int find(long routing, long check) {
        return shards[shardOf(routing, shards.length)].find(routing, check);
    }

    /** Builds assignments key by key. Not thread-safe. */
    static final class Builder {

        private final AssignmentShard.Builder[] shards;

        Builder(int shardCount) {
            checkShardCount(shardCount);
            shards = new AssignmentShard.Builder[shardCount];
            for (int i = 0; i < shardCount; i++) {
                shards[i] = new AssignmentShard.Builder();
            }
        }

        /** Adds one assignment; the caller guarantees each key is added once. */
        Builder add(String key, int partitionIndex) {
            KeyHash.hash(key, (routing, check) -> {
                shards[shardOf(routing, shards.length)].add(routing, check, partitionIndex);
                return 0;
            });
            return this;
        }

        Assignments build() {
            AssignmentShard[] built = new AssignmentShard[shards.length];
            long size = 0;
            for (int i = 0; i < shards.length; i++) {
                built[i] = shards[i].build();
                size += built[i].size();
                shards[i] = null;
            }
            return new Assignments(built, size);
        }
    }
}
