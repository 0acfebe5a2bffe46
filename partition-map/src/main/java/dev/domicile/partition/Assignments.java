package dev.domicile.partition;

/**
 * Explicit user assignments, split into a fixed power-of-two number of {@link AssignmentShard}s by bits 40 and up of
 * the routing hash. The split matches the ZooKeeper store's shard znodes, so a change to one user rebuilds one shard.
 * Immutable.
 *
 * <p>Design note: the shards' tables are packed into chunks, one {@code long[]} per group of
 * {@value #SHARDS_PER_CHUNK} consecutive shards, each table at its offset, then one empty slot that every empty shard
 * of the group uses. A lookup reads the shard's offset and capacity from {@code layout} (one {@code long} per shard,
 * 8 KB for 1,024 shards, so it stays in cache), the chunk from {@code chunks} (a few cache lines, and chunk headers
 * few enough to stay in cache too), then probes the slots: it never touches a per-shard array or shard object, whose
 * headers, scattered over the heap, would cost a cache or TLB miss each before the slot itself could be loaded. The
 * capacity is the layout's, not an array length, so the slot's address does not wait on a header.
 *
 * <p>Chunks rather than one array for all shards, so that a new version with some shards replaced copies only the
 * chunks that hold a replaced shard and shares every other chunk with the previous version ({@link #of} recognises a
 * group that is still packed as it was). Why {@value #SHARDS_PER_CHUNK} shards per chunk: a valid map has at least
 * {@value #MIN_SHARDS} shards, so at least 16 chunks, and a change to one shard copies at most a sixteenth of the
 * tables; at 1,024 shards and 1,000,000 users there are 64 chunks of about 350 KB, and a one-user change copies one.
 * The lookup measured the same with 64 shards per chunk (16 chunks; {@code PartitionMapBenchmark}, 2026-12-06), so
 * the smaller copy wins. Shards keep no copy: once packed, each is a view into its chunk.
 */
final class Assignments {

    static final int DEFAULT_SHARDS = 1024;
    static final int MIN_SHARDS = 256;
    static final int MAX_SHARDS = 1 << 16;
    static final int CHUNK_BITS = 4;
    static final int SHARDS_PER_CHUNK = 1 << CHUNK_BITS;

    /** The longest array a JVM reliably allocates. */
    private static final long MAX_CHUNK_LENGTH = Integer.MAX_VALUE - 8;

    private final AssignmentShard[] shards;
    private final long[][] chunks;
    /** Per shard: the offset of its table in its chunk, shifted left by 32, OR its capacity. */
    private final long[] layout;
    private final int shardMask;
    private final long size;

    private Assignments(AssignmentShard[] shards, long[][] chunks) {
        this.shards = shards;
        this.chunks = chunks;
        this.shardMask = shards.length - 1;
        this.layout = new long[shards.length];
        long total = 0;
        for (int i = 0; i < shards.length; i++) {
            AssignmentShard shard = shards[i];
            long offset = shard.size() == 0 ? chunks[i >>> CHUNK_BITS].length - 2 : shard.offset();
            layout[i] = offset << 32 | shard.capacity();
            total += shard.size();
        }
        this.size = total;
    }

    /**
     * Assignments made of {@code shards}, a power-of-two count, each at the index of {@link #shardOf} its keys. The
     * array is taken over: its shards are replaced by views into the chunks. A group of shards that are still views
     * into one chunk, laid out as packing would lay them out, keeps that chunk (the same array); any other group is
     * copied into a new chunk.
     *
     * @throws IllegalStateException if a group's tables do not fit in one Java array (above 16 GB)
     */
    static Assignments of(AssignmentShard[] shards) {
        checkShardCount(shards.length);
        long[][] chunks = new long[shards.length >>> CHUNK_BITS][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = pack(shards, c);
        }
        return new Assignments(shards, chunks);
    }

    /**
     * Packs the group that ends at shard {@code index} if it does, so a caller filling {@code shards} in order holds
     * at most one group's tables twice; {@link #of} then keeps the chunk.
     */
    static void packIfGroupEnds(AssignmentShard[] shards, int index) {
        if ((index & (SHARDS_PER_CHUNK - 1)) == SHARDS_PER_CHUNK - 1) {
            pack(shards, index >>> CHUNK_BITS);
        }
    }

    /** The chunk of group {@code c}: the one its shards view already, or a new copy that they are replaced by. */
    private static long[] pack(AssignmentShard[] shards, int c) {
        int from = c << CHUNK_BITS;
        int to = from + SHARDS_PER_CHUNK;
        long[] packed = null;
        boolean inPlace = true;
        long length = 0;
        for (int i = from; i < to; i++) {
            AssignmentShard shard = shards[i];
            if (shard.size() == 0) {
                continue;
            }
            if (packed == null) {
                packed = shard.array();
            }
            inPlace &= shard.array() == packed && shard.offset() == length;
            length += 2L * shard.capacity();
        }
        length += 2;
        if (packed == null) {
            return AssignmentShard.EMPTY_CHUNK;
        }
        if (inPlace && packed.length == length) {
            return packed;
        }
        if (length > MAX_CHUNK_LENGTH) {
            throw new IllegalStateException("shards " + from + " to " + (to - 1) + " hold " + length * 8
                    + " bytes of tables, more than one Java array holds; use fewer assignments");
        }
        long[] chunk = new long[(int) length];
        int at = 0;
        for (int i = from; i < to; i++) {
            AssignmentShard shard = shards[i];
            if (shard.size() != 0) {
                shards[i] = shard.copyInto(chunk, at);
                at += 2 * shard.capacity();
            }
        }
        return chunk;
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

    /** The chunk holding shard {@code index}'s table, for tests of sharing between versions. */
    long[] chunkOf(int index) {
        return chunks[index >>> CHUNK_BITS];
    }

    /** Bytes held by the arrays and shard views of this version (chunks shared with another version included). */
    long arrayBytes() {
        long total = 16L + shards.length * 4L + 16L + layout.length * 8L + 16L + chunks.length * 4L;
        for (long[] chunk : chunks) {
            total += chunk == AssignmentShard.EMPTY_CHUNK ? 0 : 16L + chunk.length * 8L;
        }
        for (AssignmentShard shard : shards) {
            total += shard == AssignmentShard.EMPTY ? 0 : 32;
        }
        return total;
    }

    /** The partition index assigned to the key with this fingerprint, or -1. */
    int find(long routing, long check) {
        int shard = (int) (routing >>> 40) & shardMask;
        long where = layout[shard];
        return AssignmentShard.probe(chunks[shard >>> CHUNK_BITS], (int) (where >>> 32), (int) where, routing, check);
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
            for (int i = 0; i < shards.length; i++) {
                built[i] = shards[i].build();
                shards[i] = null;
                packIfGroupEnds(built, i);
            }
            return of(built);
        }
    }
}
