package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Instant;
import java.util.Objects;

/**
 * Who may write a partition: the owner site and the epoch, the fencing token that every write carries to the
 * database. A new owner always gets a higher epoch.
 *
 * @param partition the partition
 * @param owner     the site whose routers may write it
 * @param epoch     the fencing token, at least 1; only grows
 * @param since     when this authority was published (the publisher's clock)
 * @param reason    why it changed, e.g. {@code "initial"} or {@code "takeover: lease of eu-west gone"}
 * @throws IllegalArgumentException if {@code epoch < 1}
 */
public record Authority(PartitionId partition, SiteId owner, long epoch, Instant since, String reason) {

    public Authority {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(reason, "reason");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, was " + epoch);
        }
    }

    /** The authority that replaces this one: {@code owner} at the next epoch. */
    Authority next(SiteId newOwner, Instant at, String why) {
        return new Authority(partition, newOwner, Math.addExact(epoch, 1), at, why);
    }
}
