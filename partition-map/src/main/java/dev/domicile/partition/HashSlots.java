package dev.domicile.partition;

import java.util.List;

/**
 * The hash layer of resolution: a fixed table of {@value #SLOTS} slots, each owned by the partition that wins weighted
 * rendezvous hashing for it. A key maps to a slot by its routing hash. Because each slot's owner is the highest
 * weighted score among partitions, adding a partition moves only the slots it wins (its fair share) and moves them
 * only to itself; removing weight moves only that partition's slots. Immutable.
 */
final class HashSlots {

    static final int SLOTS = 1 << 16;

    private final byte[] owners;

    private HashSlots(byte[] owners) {
        this.owners = owners;
    }

    static HashSlots of(List<Partition> partitions) {
        int n = partitions.size();
        long[] seeds = new long[n];
        for (int p = 0; p < n; p++) {
            seeds[p] = KeyHash.routing(partitions.get(p).id().value());
        }
        byte[] owners = new byte[SLOTS];
        for (int slot = 0; slot < SLOTS; slot++) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < n; p++) {
                long u = KeyHash.fmix64(seeds[p] ^ (slot * 0x9E3779B97F4A7C15L));
                double unit = ((u >>> 11) + 0.5) * 0x1.0p-53;
                double score = partitions.get(p).weight() / -Math.log(unit);
                if (score > bestScore) {
                    bestScore = score;
                    best = p;
                }
            }
            owners[slot] = (byte) best;
        }
        return new HashSlots(owners);
    }

    /** The index of the partition that owns the slot of {@code routing}. */
    int partitionIndex(long routing) {
        return owners[(int) (routing >>> 20) & (SLOTS - 1)] & 0xff;
    }
}
