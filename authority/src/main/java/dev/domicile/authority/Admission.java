package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;

/**
 * A write admitted by {@link WriteAdmission#admit}: stamp the write transaction with {@link #epoch()} (see
 * {@link Fence#stampSql(long)}). The same instance is returned for every admission until the authority or the
 * connection changes, so admitting allocates nothing.
 *
 * @param partition the partition written
 * @param site      the local site, which owns the partition
 * @param epoch     the fencing token to stamp the write with
 */
public record Admission(PartitionId partition, SiteId site, long epoch) {
}
