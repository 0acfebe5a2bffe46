package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What an {@link AuthorityWatcher} knows at one moment. Immutable; the watcher swaps whole snapshots atomically.
 *
 * @param live             whether the ZooKeeper connection is CONNECTED/RECONNECTED and every authority was re-read
 *                         since it last (re)connected; only a live snapshot may admit writes or takeovers
 * @param health           why it is or is not live, e.g. {@code live} or {@code ZooKeeper connection SUSPENDED}
 * @param authorities      the last good authority of every partition seen, also while not live
 * @param leases           the lease node of every partition that has one
 * @param leaseAbsentSince for partitions with a known authority and no lease node, when this watcher first saw the
 *                         node absent while live (under the same owner and epoch: a change of owner or epoch
 *                         restarts it); cleared whenever the watcher stops being live
 * @param sequence         increases with every snapshot the watcher publishes
 */
public record AuthoritySnapshot(boolean live, String health, Map<PartitionId, Authority> authorities,
        Map<PartitionId, Lease> leases, Map<PartitionId, Instant> leaseAbsentSince, long sequence) {

    public AuthoritySnapshot {
        authorities = Map.copyOf(authorities);
        leases = Map.copyOf(leases);
        leaseAbsentSince = Map.copyOf(leaseAbsentSince);
    }

    static AuthoritySnapshot initial() {
        return new AuthoritySnapshot(false, "starting", Map.of(), Map.of(), Map.of(), 0);
    }

    /** The last good authority of {@code partition}, if one was seen. */
    public Optional<Authority> authority(PartitionId partition) {
        return Optional.ofNullable(authorities.get(partition));
    }
}
