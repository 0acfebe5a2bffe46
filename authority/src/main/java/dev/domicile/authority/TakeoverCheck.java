package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a standby site may take a partition over now, by {@link AuthorityWatcher#takeoverCheck}: only when the
 * watcher is live, the standby is allowed by the failover order, the owner's lease node is gone (its session expired
 * or it let go) and the safety margin has passed since this watcher saw it go.
 *
 * @param partition  the partition
 * @param standby    the site that would take it
 * @param current    the authority in force, if known
 * @param eligibleAt when the takeover becomes allowed if nothing changes; empty while the lease is held or the
 *                   watcher cannot tell
 * @param eligible   whether it is allowed now
 * @param reason     why (not)
 */
public record TakeoverCheck(PartitionId partition, SiteId standby, Optional<Authority> current,
        Optional<Instant> eligibleAt, boolean eligible, String reason) {
}
