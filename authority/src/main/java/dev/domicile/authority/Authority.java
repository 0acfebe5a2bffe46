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
 * @param phase         {@link Phase#FENCING} from the claim of a new epoch until the new owner has raised its
 *                      database fence to it, then {@link Phase#ACTIVE}; no router admits writes of the partition
 *                      while it is FENCING
 * @throws IllegalArgumentException if {@code epoch < 1}, {@code movingTo} is the owner, or a FENCING authority is
 *                                  moving
 */
public record Authority(PartitionId partition, SiteId owner, long epoch, Instant since, String reason,
        Optional<SiteId> movingTo, Optional<TimelineStart> timelineStart, Phase phase) {

    /**
     * Where a published epoch stands. A change of owner is published in two steps on the same document: the claim
     * (the compare-and-set that decides who won) publishes the new epoch FENCING; once the new owner has raised the
     * fence of its database to that epoch (so no writer of an older epoch can commit there any more) it publishes
     * the same epoch ACTIVE, and only then do its routers admit writes.
     */
    public enum Phase {
        /** The epoch is claimed, the new owner's database fence is not raised yet: nobody admits writes. */
        FENCING,
        /** The owner's database fence is at this epoch: its routers admit writes (unless it is moving). */
        ACTIVE
    }

    public Authority {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(movingTo, "movingTo");
        Objects.requireNonNull(timelineStart, "timelineStart");
        Objects.requireNonNull(phase, "phase");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, was " + epoch);
        }
        if (movingTo.isPresent() && movingTo.get().equals(owner)) {
            throw new IllegalArgumentException("partition " + partition + " cannot move to its owner " + owner);
        }
        if (movingTo.isPresent() && phase == Phase.FENCING) {
            throw new IllegalArgumentException("partition " + partition + " cannot move while epoch " + epoch
                    + " is still FENCING");
        }
    }

    /** An ACTIVE authority that is not moving and records no timeline start. */
    public Authority(PartitionId partition, SiteId owner, long epoch, Instant since, String reason) {
        this(partition, owner, epoch, since, reason, Optional.empty(), Optional.empty(), Phase.ACTIVE);
    }

    /** An ACTIVE authority (the form documents without a phase are read as). */
    public Authority(PartitionId partition, SiteId owner, long epoch, Instant since, String reason,
            Optional<SiteId> movingTo, Optional<TimelineStart> timelineStart) {
        this(partition, owner, epoch, since, reason, movingTo, timelineStart, Phase.ACTIVE);
    }

    /** Whether the owner's routers may admit writes under this authority: ACTIVE and not moving. */
    public boolean admitsWrites() {
        return phase == Phase.ACTIVE && movingTo.isEmpty();
    }

    /** The authority that replaces this one: {@code owner} at the next epoch, ACTIVE, not moving, no timeline start. */
    Authority next(SiteId newOwner, Instant at, String why) {
        return new Authority(partition, newOwner, Math.addExact(epoch, 1), at, why);
    }

    /** The claim of the next epoch by {@code newOwner}: FENCING until it has raised its database fence. */
    Authority claimed(SiteId newOwner, Instant at, String why) {
        return new Authority(partition, newOwner, Math.addExact(epoch, 1), at, why, Optional.empty(),
                Optional.empty(), Phase.FENCING);
    }

    /** This authority, same owner and epoch, ACTIVE. */
    Authority activated(Instant at, String why) {
        return new Authority(partition, owner, epoch, at, why, movingTo, timelineStart, Phase.ACTIVE);
    }

    /** This authority, same owner and epoch, marked as moving to {@code target}. */
    Authority moving(SiteId target, Instant at, String why) {
        return new Authority(partition, owner, epoch, at, why, Optional.of(target), timelineStart, phase);
    }

    /** This authority with {@code start} recorded. */
    Authority withTimelineStart(TimelineStart start) {
        return new Authority(partition, owner, epoch, since, reason, movingTo, Optional.of(start), phase);
    }
}
