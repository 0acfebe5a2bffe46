package dev.domicile.partition;

import java.util.Arrays;

/**
 * Explicit user assignments, split into a fixed power-of-two number of {@link AssignmentShard}s by the high bits of
 * the key's mixed {@link String#hashCode()} ({@link #mix}). The split matches the ZooKeeper store's shard znodes, so
 * a change to one user rebuilds one shard. Immutable.
 *
 * <p>The string hash is part of the routing contract like {@link KeyHash}: the Java language specification fixes
 * {@code String.hashCode()}, so routers of every version and JVM agree on it. Keys crafted to share a string hash
 * (easy to make, unlike MurmurHash3 collisions) are still told apart exactly, by the MurmurHash3 lanes; they only
 * lengthen each other's probes.
 */
final class Assignments {

    static final int DEFAULT_SHARDS = 1024;
    static final int MIN_SHARDS = 256;
    static final int MAX_SHARDS = 1 << 16;

    private final AssignmentShard[] shards;
    private final int shardShift;
    private final long size;

    private Assignments(AssignmentShard[] shards, long size) {
        this.shards = shards;
        this.shardShift = 32 - Integer.numberOfTrailingZeros(shards.length);
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

    /** The MurmurHash3 32-bit finaliser, which spreads a string hash over all 32 bits. */
    static int mix(int stringHash) {
        int h = stringHash;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** The shard that holds the key with string hash {@code stringHash} among {@code shardCount}. */
    static int shardOf(int stringHash, int shardCount) {
        return mix(stringHash) >>> (32 - Integer.numberOfTrailingZeros(shardCount));
    }

    /**
     * The shard that holds {@code key} among {@code shardCount}.
     *
     * @throws InvalidUserKeyException for an invalid key
     */
    static int shardOf(String key, int shardCount) {
        KeyHash.routing(key);
        return shardOf(key.hashCode(), shardCount);
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

    /**
     * Starts a lookup from the key's string hash alone: the shard and the first slot holding that string hash, packed
     * as {@code shard << 32 | slot}, or -1 if the key is not assigned. Reads only the table.
     */
    long candidate(int stringHash) {
        int mixed = mix(stringHash);
        int shard = mixed >>> shardShift;
        int slot = shards[shard].candidate(mixed, stringHash);
        return slot < 0 ? -1 : ((long) shard << 32) | slot;
    }

    /** Ends a lookup begun by {@link #candidate}: the assigned partition index, or -1. */
    int find(long candidate, long routing, long check) {
        return candidate < 0 ? -1 : shards[(int) (candidate >>> 32)].find((int) candidate, routing, check);
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
            KeyHash.hash(key, (routing, check, context) -> {
                int stringHash = key.hashCode();
                shards[shardOf(stringHash, shards.length)].add(stringHash, routing, check, partitionIndex);
                return 0;
            }, 0);
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
