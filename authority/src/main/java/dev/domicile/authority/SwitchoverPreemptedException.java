package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;

/**
 * A planned switchover was overtaken by a change of authority it did not make, typically an automatic failover
 * ({@link FailoverCoordinator}) after the owner site lost its ZooKeeper session while the partition was moving: the
 * authority is no longer the moving state the switchover began, so the switchover neither completes nor aborts (both
 * are compare-and-sets on that state, and the authority that replaced it stays). The old owner is not restored.
 *
 * <p>The message says at which step the switchover stopped, who holds the partition now and what became of the
 * switchover's target database: {@link TargetState#NOT_PROMOTED} (still a replica; rebuild it to follow the new
 * primary if needed), {@link TargetState#RETIRED} (it had been promoted, and since its site does not own the
 * partition it was retired: it refuses every write; rebuild it as a replica of the new primary),
 * {@link TargetState#KEPT} (it had been promoted and its site owns the partition now: the failover of that site
 * fenced or will fence it) or {@link TargetState#NOT_RETIRED} (it had been promoted, its site does not own the
 * partition, and retiring it failed: it is a second writable primary until an operator retires or stops it).
 */
public final class SwitchoverPreemptedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What the preempted switchover left of its target database. */
    public enum TargetState {
        /** Never promoted: still a replica. */
        NOT_PROMOTED,
        /** Promoted, then retired ({@link Fence#RETIRED}) because another site owns the partition. */
        RETIRED,
        /** Promoted and left as it is, because its own site owns the partition now. */
        KEPT,
        /** Promoted, another site owns the partition, and it could not be retired: retire or stop it by hand. */
        NOT_RETIRED
    }

    private final String partition;
    private final String owner;
    private final long epoch;
    private final TargetState target;

    SwitchoverPreemptedException(Authority now, Switchover.Step step, TargetState target, String detail,
            Throwable cause) {
        super("switchover of partition " + now.partition() + " preempted after step " + step + ": the authority is"
                + " now " + now.owner() + " at epoch " + now.epoch() + " " + now.phase() + " (" + now.reason()
                + "), so the switchover neither completes nor restores the old owner; target database: " + target
                + (detail.isEmpty() ? "" : " (" + detail + ")"), cause);
        this.partition = now.partition().value();
        this.owner = now.owner().value();
        this.epoch = now.epoch();
        this.target = target;
    }

    /** The partition. */
    public PartitionId partition() {
        return PartitionId.of(partition);
    }

    /** The site that holds the partition now (the failover's). */
    public SiteId owner() {
        return SiteId.of(owner);
    }

    /** The epoch in force now, higher than the one the switchover began at. */
    public long epoch() {
        return epoch;
    }

    /** What became of the switchover's target database. */
    public TargetState target() {
        return target;
    }
}
