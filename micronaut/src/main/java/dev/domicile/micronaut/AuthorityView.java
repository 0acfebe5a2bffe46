package dev.domicile.micronaut;

import dev.domicile.authority.Authority;
import dev.domicile.authority.AuthoritySnapshot;
import dev.domicile.authority.Lease;
import dev.domicile.partition.Partition;
import dev.domicile.partition.PartitionMap;
import java.util.List;

/**
 * Write authority as the health indicator and the management endpoint show it, from the watcher's snapshot and the
 * write admission (no ZooKeeper round trip).
 *
 * @param live       whether this process's authority view is live: ZooKeeper connected, every document re-read
 *                   since, heartbeat answered
 * @param state      why it is or is not live, e.g. {@code live} or {@code ZooKeeper connection SUSPENDED}
 * @param writable   the partitions this site may write now
 * @param partitions every partition of the map, with its authority as last known here
 * @param lastRejection the last authority document the watcher refused to believe, or null
 */
record AuthorityView(boolean live, String state, List<String> writable, List<PartitionAuthority> partitions,
                     String lastRejection) {

    /**
     * One partition's authority.
     *
     * @param partition the partition
     * @param owner     the site that may write it, or null if no authority was seen
     * @param epoch     its fencing epoch, 0 if none was seen
     * @param phase     {@code FENCING} while the owner of a new epoch is still raising its database fence (nobody
     *                  writes), {@code MOVING} during a planned switchover, {@code ACTIVE} otherwise; null if no
     *                  authority was seen
     * @param since     when that authority was published (ISO-8601), or null
     * @param reason    why it changed last, or null
     * @param lease     the holder of its lease node ({@code site/router-id}), or null if there is none
     * @param writable  whether this site may write it now
     */
    record PartitionAuthority(String partition, String owner, long epoch, String phase, String since, String reason,
                              String lease, boolean writable) {
    }

    static AuthorityView of(DomicileAuthority authority, PartitionMap map) {
        AuthoritySnapshot snapshot = authority.watcher().snapshot();
        List<PartitionAuthority> partitions = map.partitions().stream().map(Partition::id).map(id -> {
            Authority known = snapshot.authorities().get(id);
            Lease lease = snapshot.leases().get(id);
            return new PartitionAuthority(id.value(), known == null ? null : known.owner().value(),
                    known == null ? 0 : known.epoch(), known == null ? null : phase(known),
                    known == null ? null : known.since().toString(),
                    known == null ? null : known.reason(), lease == null ? null : lease.holder(),
                    authority.admission().admits(id));
        }).toList();
        return new AuthorityView(snapshot.live(), snapshot.health(),
                partitions.stream().filter(PartitionAuthority::writable).map(PartitionAuthority::partition).toList(),
                partitions, authority.watcher().lastRejection().map(r -> r.path() + ": " + r.problem()).orElse(null));
    }

    private static String phase(Authority authority) {
        return authority.movingTo().isPresent() ? "MOVING" : authority.phase().name();
    }
}
