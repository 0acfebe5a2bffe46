package dev.domicile.partition;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A partition, its home site, the sites that may take it over (in order of preference) and its weight in the hash
 * layer of resolution.
 *
 * @param id       the partition's name
 * @param home     the site that normally holds write authority for it
 * @param failover the sites that may take over, most preferred first; never contains {@code home}, no duplicates
 * @param weight   share of hashed users relative to other partitions; positive
 * @throws IllegalArgumentException if any of these rules is broken; the message names the partition and the rule
 */
public record Partition(PartitionId id, SiteId home, List<SiteId> failover, int weight) {

    public Partition {
        Objects.requireNonNull(id, "partition id");
        Objects.requireNonNull(home, () -> "home site of partition " + id);
        Objects.requireNonNull(failover, () -> "failover sites of partition " + id);
        failover = List.copyOf(failover);
        if (weight <= 0) {
            throw new IllegalArgumentException("partition " + id + " has weight " + weight
                    + ": weights must be positive");
        }
        Set<SiteId> seen = new HashSet<>();
        for (SiteId site : failover) {
            if (site.equals(home)) {
                throw new IllegalArgumentException("partition " + id + " lists its home site " + home
                        + " among its failover sites");
            }
            if (!seen.add(site)) {
                throw new IllegalArgumentException("partition " + id + " lists failover site " + site + " twice");
            }
        }
    }

    /** A partition of weight 1 homed at {@code home} with failover to {@code failover}, in that order. */
    public static Partition of(String id, String home, String... failover) {
        return new Partition(PartitionId.of(id), SiteId.of(home),
                java.util.Arrays.stream(failover).map(SiteId::of).toList(), 1);
    }

    /** This partition with another weight. */
    public Partition withWeight(int newWeight) {
        return new Partition(id, home, failover, newWeight);
    }
}
