package dev.domicile.partition;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * An immutable open-addressing table (linear probing) from a user key's 128-bit fingerprint to a partition index:
 * {@code capacity} slots starting at element {@code offset} of a {@code long[]}.
 *
 * <p>Design note: a slot is two {@code long}s side by side, so a probe reads one cache line. The first holds the
 * routing hash with bits 40–47 replaced by the partition index plus one (never zero, so zero marks an empty slot);
 * those bits need not be stored because they select the shard, and a table holds only keys of its own shard (hence at
 * least {@value Assignments#MIN_SHARDS} shards). The second holds the check hash. A key matches only if all 128 bits
 * match. At the load factor of {@value #LOAD_FACTOR} that is about 23 bytes per entry.
 *
 * <p>A table is built (or read) into an array of its own, then {@link Assignments} copies it into the chunk that
 * holds its group of shards and keeps only a view: the chunk, the offset and the capacity; the table's own array is
 * then garbage. Lookups go through {@link Assignments#find}, which takes the offset and capacity from its small
 * per-shard layout array and probes with {@link #probe}; a shard object is read only to write or repack it. The
 * empty table is one empty slot; {@link #EMPTY} is a view of the shared all-empty chunk.
 */
final class AssignmentShard {

    static final double LOAD_FACTOR = 0.7;
    /** The chunk of a group whose shards are all empty: one empty slot, shared, never written. */
    static final long[] EMPTY_CHUNK = new long[2];
    static final AssignmentShard EMPTY = new AssignmentShard(EMPTY_CHUNK, 0, 1, 0);

    private static final int PARTITION_SHIFT = 40;
    private static final long PARTITION_BITS = 0xffL << PARTITION_SHIFT;

    private final long[] slots;
    private final int offset;
    private final int capacity;
    private final int size;

    private AssignmentShard(long[] slots, int offset, int capacity, int size) {
        this.slots = slots;
        this.offset = offset;
        this.capacity = capacity;
        this.size = size;
    }

    int size() {
        return size;
    }

    int capacity() {
        return capacity;
    }

    /** The array holding this table: its own before packing, its chunk after. */
    long[] array() {
        return slots;
    }

    /** The element of {@link #array()} where this table's first slot starts. */
    int offset() {
        return offset;
    }

    /** Copies this table into {@code chunk} at {@code at} and returns the view of the copy. */
    AssignmentShard copyInto(long[] chunk, int at) {
        System.arraycopy(slots, offset, chunk, at, capacity * 2);
        return new AssignmentShard(chunk, at, capacity, size);
    }

    /**
     * The partition index assigned to the key with this fingerprint in the table of {@code capacity} slots starting
     * at element {@code offset} of {@code slots}, or -1.
     */
    static int probe(long[] slots, int offset, int capacity, long routing, long check) {
        int slot = home(routing, capacity);
        while (true) {
            int at = offset + (slot << 1);
            long stored = slots[at];
            if (stored == 0) {
                return -1;
            }
            if (((stored ^ routing) & ~PARTITION_BITS) == 0 && slots[at + 1] == check) {
                return (int) ((stored & PARTITION_BITS) >>> PARTITION_SHIFT) - 1;
            }
            slot = slot + 1 == capacity ? 0 : slot + 1;
        }
    }

    private static int home(long routing, int capacity) {
        return (int) (((routing & 0xffffffffL) * capacity) >>> 32);
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeInt(size);
        out.writeInt(capacity);
        for (int i = offset; i < offset + capacity * 2; i++) {
            out.writeLong(slots[i]);
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
                long partition = ((slots[i] & PARTITION_BITS) >>> PARTITION_SHIFT) - 1;
                if (partition < 0 || partition >= partitionCount) {
                    throw new IOException("corrupt shard: partition index " + partition);
                }
            }
        }
        if (occupied != size) {
            throw new IOException("corrupt shard: " + occupied + " occupied slots, " + size + " expected");
        }
        return size == 0 ? EMPTY : new AssignmentShard(slots, 0, capacity, size);
    }

    /** Collects entries, then builds a table sized for them. Not thread-safe. */
    static final class Builder {

        private long[] routings = new long[16];
        private long[] checks = new long[16];
        private int count;

        void add(long routing, long check, int partitionIndex) {
            if (partitionIndex < 0 || partitionIndex >= PartitionMapDefinition.MAX_PARTITIONS) {
                throw new IllegalArgumentException("partition index " + partitionIndex + " out of range");
            }
            if (count == routings.length) {
                routings = Arrays.copyOf(routings, count * 2);
                checks = Arrays.copyOf(checks, count * 2);
            }
            routings[count] = (routing & ~PARTITION_BITS) | ((partitionIndex + 1L) << PARTITION_SHIFT);
            checks[count] = check;
            count++;
        }

        /**
         * @throws IllegalStateException if two entries have the same 128-bit fingerprint (the same key added twice,
         *                               which callers rule out first, or a true collision)
         */
        AssignmentShard build() {
            if (count == 0) {
                return EMPTY;
            }
            int capacity = Math.max(count + 1, (int) Math.ceil(count / LOAD_FACTOR));
            long[] slots = new long[capacity * 2];
            for (int i = 0; i < count; i++) {
                int slot = home(routings[i], capacity);
                while (slots[slot << 1] != 0) {
                    if (((slots[slot << 1] ^ routings[i]) & ~PARTITION_BITS) == 0
                            && slots[(slot << 1) + 1] == checks[i]) {
                        throw new IllegalStateException("two assignments share the 128-bit fingerprint "
                                + Long.toHexString(routings[i] & ~PARTITION_BITS) + Long.toHexString(checks[i]));
                    }
                    slot = slot + 1 == capacity ? 0 : slot + 1;
                }
                slots[slot << 1] = routings[i];
                slots[(slot << 1) + 1] = checks[i];
            }
            return new AssignmentShard(slots, 0, capacity, count);
        }
    }
}
