package dev.domicile.partition;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * An immutable open-addressing table (linear probing) from a user key's fingerprint to a partition index.
 *
 * <p>Design note: a slot is two {@code long}s side by side in one array, so a lookup reads one cache line. The first
 * holds the key's {@link String#hashCode()} in its high 32 bits, bits 0–23 of the routing hash in bits 8–31, and the
 * partition index plus one in bits 0–7 (never zero, so zero marks an empty slot); the second holds the check hash.
 * A key matches only if all 152 bits match: the 32-bit string hash and 120 bits of the two MurmurHash3 lanes of
 * {@link KeyHash}. The slot is placed by the (mixed) string hash, which a {@code String} caches and which the JVM
 * computes with a vectorised intrinsic, so a lookup can start loading its slot before the key has been validated and
 * hashed ({@link #candidate}), and the two overlap. At the load factor of {@value #LOAD_FACTOR} that is about 23
 * bytes per entry.
 */
final class AssignmentShard {

    static final double LOAD_FACTOR = 0.7;
    static final AssignmentShard EMPTY = new AssignmentShard(new long[2], 0);

    private static final long PARTITION_BITS = 0xffL;
    private static final long ROUTING_BITS = 0xffffffL;

    private final long[] slots;
    private final int size;

    private AssignmentShard(long[] slots, int size) {
        this.slots = slots;
        this.size = size;
    }

    int size() {
        return size;
    }

    /** Bytes held by the array, for sizing reports. */
    long arrayBytes() {
        return 16L + slots.length * 8L;
    }

    /** The first word of a slot for this fingerprint and partition index. */
    static long firstWord(int stringHash, long routing, int partitionIndex) {
        return ((long) stringHash << 32) | ((routing & ROUTING_BITS) << 8) | (partitionIndex + 1L);
    }

    /**
     * The first slot, probing from the key's home slot, that holds a key with string hash {@code stringHash}, or -1
     * if an empty slot comes first (the key is not assigned). Reads only the table, never the key.
     *
     * @param mixed {@link Assignments#mix} of {@code stringHash}
     */
    int candidate(int mixed, int stringHash) {
        long[] s = slots;
        int capacity = s.length >>> 1;
        int slot = home(mixed, capacity);
        while (true) {
            long stored = s[slot << 1];
            if (stored == 0) {
                return -1;
            }
            if ((int) (stored >>> 32) == stringHash) {
                return slot;
            }
            slot = slot + 1 == capacity ? 0 : slot + 1;
        }
    }

    /**
     * The partition index assigned to the key whose string hash is the one stored at {@code candidate} and whose
     * MurmurHash3 lanes are {@code routing} and {@code check}, or -1.
     *
     * @param candidate a slot returned by {@link #candidate}
     */
    int find(int candidate, long routing, long check) {
        long[] s = slots;
        int capacity = s.length >>> 1;
        long wanted = (s[candidate << 1] & ~(ROUTING_BITS << 8 | PARTITION_BITS)) | ((routing & ROUTING_BITS) << 8);
        int slot = candidate;
        while (true) {
            long stored = s[slot << 1];
            if (stored == 0) {
                return -1;
            }
            if ((stored & ~PARTITION_BITS) == wanted && s[(slot << 1) + 1] == check) {
                return (int) (stored & PARTITION_BITS) - 1;
            }
            slot = slot + 1 == capacity ? 0 : slot + 1;
        }
    }

    /** The home slot: the mixed hash's low 16 bits lead, since its high bits chose the shard. */
    private static int home(int mixed, int capacity) {
        return (int) ((Integer.rotateLeft(mixed, 16) & 0xffffffffL) * capacity >>> 32);
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeInt(size);
        out.writeInt(slots.length >>> 1);
        for (long word : slots) {
            out.writeLong(word);
        }
    }

    /** @throws IOException if the data is truncated or inconsistent */
    static AssignmentShard readFrom(DataInput in, int partitionCount) throws IOException {
        int size = in.readInt();
        int capacity = in.readInt();
        if (capacity < 1 || capacity > (1 << 28) || size < 0 || size >= capacity) {
            throw new IOException("corrupt shard: " + size + " entries in " + capacity + " slots");
        }
        long[] slots = new long[capacity * 2];
        int occupied = 0;
        for (int i = 0; i < slots.length; i++) {
            slots[i] = in.readLong();
            if ((i & 1) == 0 && slots[i] != 0) {
                occupied++;
                long partition = (slots[i] & PARTITION_BITS) - 1;
                if (partition < 0 || partition >= partitionCount) {
                    throw new IOException("corrupt shard: partition index " + partition);
                }
            }
        }
        if (occupied != size) {
            throw new IOException("corrupt shard: " + occupied + " occupied slots, " + size + " expected");
        }
        return size == 0 ? EMPTY : new AssignmentShard(slots, size);
    }

    /** Collects entries, then builds a table sized for them. Not thread-safe. */
    static final class Builder {

        private long[] firsts = new long[16];
        private long[] checks = new long[16];
        private int count;

        void add(int stringHash, long routing, long check, int partitionIndex) {
            if (partitionIndex < 0 || partitionIndex >= PartitionMapDefinition.MAX_PARTITIONS) {
                throw new IllegalArgumentException("partition index " + partitionIndex + " out of range");
            }
            if (count == firsts.length) {
                firsts = Arrays.copyOf(firsts, count * 2);
                checks = Arrays.copyOf(checks, count * 2);
            }
            firsts[count] = firstWord(stringHash, routing, partitionIndex);
            checks[count] = check;
            count++;
        }

        /**
         * @throws IllegalStateException if two entries have the same fingerprint (the same key added twice, which
         *                               callers rule out first, or a true collision of all 152 bits)
         */
        AssignmentShard build() {
            if (count == 0) {
                return EMPTY;
            }
            int capacity = Math.max(count + 1, (int) Math.ceil(count / LOAD_FACTOR));
            long[] slots = new long[capacity * 2];
            for (int i = 0; i < count; i++) {
                int slot = home(Assignments.mix((int) (firsts[i] >>> 32)), capacity);
                while (slots[slot << 1] != 0) {
                    if (((slots[slot << 1] ^ firsts[i]) & ~PARTITION_BITS) == 0
                            && slots[(slot << 1) + 1] == checks[i]) {
                        throw new IllegalStateException("two assignments share the fingerprint "
                                + Long.toHexString(firsts[i] & ~PARTITION_BITS) + "/" + Long.toHexString(checks[i]));
                    }
                    slot = slot + 1 == capacity ? 0 : slot + 1;
                }
                slots[slot << 1] = firsts[i];
                slots[(slot << 1) + 1] = checks[i];
            }
            return new AssignmentShard(slots, count);
        }
    }
}
