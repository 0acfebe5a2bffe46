package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How one site takes one partition over when its owner is lost, for a {@link FailoverCoordinator}: which local
 * replica to promote and under which recovery-point policy.
 *
 * @param partition            the partition
 * @param policy               SAFE (no acknowledged write lost, else stay unavailable) or AVAILABLE (report the range)
 * @param candidate            the replica of the partition in this site
 * @param candidateSynchronous whether the candidate is the old primary's synchronous standby (declared, since the old
 *                             primary cannot be asked once it is lost); SAFE promotes only such a candidate
 * @param others               the partition's other databases, the old primary first: fenced at the takeover where
 *                             reachable, else watched until they return (then checked for divergence and retired)
 * @param lastKnownPrimaryLsn  the old primary's last WAL position known here (e.g. from a router's monitor), 0 if
 *                             unknown; bounds the loss an AVAILABLE takeover reports
 * @param fenceWait            how long writers in flight on a database may finish before a fence bump ends them
 * @param lagBound             for AVAILABLE, how far (bytes of WAL) the candidate may be behind
 *                             {@code lastKnownPrimaryLsn}; further behind, the takeover is refused
 *                             ({@link FailoverEvent.Refused}) and the partition stays unavailable
 */
public record FailoverPlan(PartitionId partition, Failover.RecoveryPolicy policy, Failover.Database candidate,
        boolean candidateSynchronous, List<Failover.Database> others, LongSupplier lastKnownPrimaryLsn,
        Duration fenceWait, Failover.LagBound lagBound, Promoter promoter) {

    public FailoverPlan {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(candidate, "candidate");
        others = List.copyOf(others);
        Objects.requireNonNull(lastKnownPrimaryLsn, "lastKnownPrimaryLsn");
        if (fenceWait == null || fenceWait.isNegative() || fenceWait.isZero()) {
            throw new IllegalArgumentException("failover plan of " + partition + ": fenceWait = " + fenceWait
                    + " is invalid: it must be positive");
        }
        Objects.requireNonNull(lagBound, "lagBound");
        Objects.requireNonNull(promoter, "promoter");
    }

    /** A plan promoting with {@link Promoter#pgPromote()}. */
    public FailoverPlan(PartitionId partition, Failover.RecoveryPolicy policy, Failover.Database candidate,
            boolean candidateSynchronous, List<Failover.Database> others, LongSupplier lastKnownPrimaryLsn,
            Duration fenceWait, Failover.LagBound lagBound) {
        this(partition, policy, candidate, candidateSynchronous, others, lastKnownPrimaryLsn, fenceWait, lagBound,
                Promoter.pgPromote());
    }

    /** A plan without a lag bound. */
    public FailoverPlan(PartitionId partition, Failover.RecoveryPolicy policy, Failover.Database candidate,
            boolean candidateSynchronous, List<Failover.Database> others, LongSupplier lastKnownPrimaryLsn,
            Duration fenceWait) {
        this(partition, policy, candidate, candidateSynchronous, others, lastKnownPrimaryLsn, fenceWait,
                Failover.LagBound.UNBOUNDED);
    }

    /** A plan that knows no last primary position. */
    public FailoverPlan(PartitionId partition, Failover.RecoveryPolicy policy, Failover.Database candidate,
            boolean candidateSynchronous, List<Failover.Database> others, Duration fenceWait) {
        this(partition, policy, candidate, candidateSynchronous, others, () -> 0, fenceWait,
                Failover.LagBound.UNBOUNDED);
    }
}
