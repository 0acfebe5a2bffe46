package dev.domicile.authority;

import dev.domicile.partition.PartitionId;

/**
 * A partition's lease node as seen in ZooKeeper: held by one router of the owner site for as long as its ZooKeeper
 * session lives.
 *
 * @param partition the partition
 * @param holder    who wrote it, {@code <site>/<router id>}, as stored in the node (not trusted for ownership)
 * @param sessionId the ZooKeeper session that owns the ephemeral node; the only proof of who holds it
 */
public record Lease(PartitionId partition, String holder, long sessionId) {
}
