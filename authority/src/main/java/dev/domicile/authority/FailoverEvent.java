package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Instant;

/**
 * What a {@link FailoverCoordinator} decided or saw, for operators: logged, counted, asserted. Every event names its
 * partition and carries the coordinator's clock time.
 */
public sealed interface FailoverEvent {

    /** The partition. */
    PartitionId partition();

    /** When (the coordinator's clock). */
    Instant at();

    /** This site took the partition over: authority moved, its replica promoted and fenced. */
    record TookOver(PartitionId partition, Instant at, SiteId from, Failover.Report report) implements FailoverEvent {
    }

    /**
     * The partition's owner lost its lease, but this site leaves the takeover to {@code site}, which comes first in
     * the failover order and is live; or this site is not live itself ({@code site} is then this site).
     */
    record Deferred(PartitionId partition, Instant at, SiteId site, String why) implements FailoverEvent {
    }

    /**
     * The recovery-point policy forbids the takeover (SAFE without a synchronous standby, or AVAILABLE with a
     * candidate further behind than the plan's lag bound), or the candidate is not a replica: nothing was changed,
     * and the partition stays unavailable for writes until an operator acts.
     */
    record Refused(PartitionId partition, Instant at, String reason) implements FailoverEvent {
    }

    /** Another router took the partition over first (compare-and-set on the authority document). */
    record LostRace(PartitionId partition, Instant at, String detail) implements FailoverEvent {
    }

    /**
     * This site claimed the partition at {@code epoch} (published FENCING) but could not promote or fence its
     * candidate: the partition stays FENCING, unwritable for everyone. This coordinator retries every check interval
     * ({@link Failover#resume}) and tells {@link TookOver} once it succeeds.
     */
    record FencingIncomplete(PartitionId partition, Instant at, long epoch, String error) implements FailoverEvent {
    }

    /**
     * This site owns the partition at {@code epoch} in phase FENCING (unwritable for everyone), but this coordinator
     * did not make that claim (it was made by hand, by a switchover's operator, or by this site's coordinator before
     * it restarted), so it does not know which database the claimer promoted and will not complete it: an operator
     * finishes it ({@link Failover#resume}, or promote, {@link Fence#bump} and {@link AuthorityStore#activate}).
     * Told once per epoch by each live coordinator of the owning site.
     */
    record FencingUnattended(PartitionId partition, Instant at, long epoch) implements FailoverEvent {
    }

    /** The takeover failed part-way; the message says what state it left. */
    record Failed(PartitionId partition, Instant at, String error) implements FailoverEvent {
    }

    /**
     * A database that was unreachable at the takeover (the old primary) answers again; it was checked for
     * divergence, then retired ({@link Fence#RETIRED}).
     *
     * @param fence the fence's state afterwards, or why it could not be retired
     */
    record OldPrimaryReturned(PartitionId partition, Instant at, String database, boolean diverged, String fence)
            implements FailoverEvent {
    }

    /** A returning old primary holds WAL the new primary never received. Never merged. */
    record Diverged(PartitionId partition, Instant at, Divergence divergence) implements FailoverEvent {
    }
}
