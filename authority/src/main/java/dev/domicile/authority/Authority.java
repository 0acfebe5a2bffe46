package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may write a partition: the owner site and the epoch, the fencing token that every write carries to the
 * database. A new owner always gets a higher epoch.
 *
 * @param partition     the partition
 * @param owner         the site whose routers may write it
 * @param epoch         the fencing token, at least 1; only grows
 * @param since         when this authority was published (the publisher's clock)
 * @param reason        why it changed, e.g. {@code "initial"} or {@code "takeover: lease of eu-west gone"}
 * @param movingTo      while a planned {@link Switchover} moves the partition, its target: no router admits writes
 *                      of the partition meanwhile (the owner keeps its lease, so nobody takes it over either)
 * @param timelineStart after a failover or switchover, where the promoted database's timeline began (recorded by the
 *                      taker once promoted); what a returning old primary is compared with ({@link Divergence})
 * @throws IllegalArgumentException if {@code epoch < 1}, or {@code movingTo} is the owner
 */
public record Authority(PartitionId partition, SiteId owner, long epoch, Instant since, String reason,
        Optional<SiteId> movingTo, Optional<TimelineStart> timelineStart) {

    public Authority {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(movingTo, "movingTo");
        Objects.requireNonNull(timelineStart, "timelineStart");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, was " + epoch);
        }
        if (movingTo.isPresent() && movingTo.get().equals(owner)) {
            throw new IllegalArgumentException("partition " + partition + " cannot move to its owner " + owner);
        }
    }

    /** An authority that is not moving and records no timeline start. */
    public Authority(PartitionId partition, SiteId owner, long epoch, Instant since, String reason) {
        this(partition, owner, epoch, since, reason, Optional.empty(), Optional.empty());
    }

    /** The authority that replaces this one: {@code owner} at the next epoch, not moving, no timeline start. */
    Authority next(SiteId newOwner, Instant at, String why) {
        return new Authority(partition, newOwner, Math.addExact(epoch, 1), at, why);
    }

    /** This authority, same owner and epoch, marked as moving to {@code target}. */
    Authority moving(SiteId target, Instant at, String why) {
        return new Authority(partition, owner, epoch, at, why, Optional.of(target), timelineStart);
    }

    /** This authority with {@code start} recorded. */
    Authority withTimelineStart(TimelineStart start) {
        return new Authority(partition, owner, epoch, since, reason, movingTo, Optional.of(start));
    }
}
