package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves a partition's authority to another site on purpose, losing nothing:
 *
 * <ol>
 *   <li><b>stop admitting</b>: the authority is marked {@linkplain Authority#movingTo() moving} (same owner and
 *       epoch); every router refuses writes of the partition with {@code RETRY_LATER} within milliseconds;</li>
 *   <li><b>fence</b> the old primary at epoch + 1: the bump waits for writers still in flight (ending those that
 *       outstay {@code fenceWait}), so nothing of the old epoch commits after it;</li>
 *   <li><b>catch up</b>: wait until the target replica has replayed the old primary's WAL up to its position after
 *       the bump (so every acknowledged write, and the raised fence, are on it);</li>
 *   <li><b>promote</b> the target, raise its fence to epoch + 1, and <b>retire</b> the old primary
 *       ({@link Fence#RETIRED}: it refuses every write, whoever sends it);</li>
 *   <li><b>publish</b>: the target site owns the partition at epoch + 1, with the new timeline's start recorded.</li>
 * </ol>
 *
 * <p>If the target does not catch up within {@code catchUpTimeout} or cannot be promoted, the switchover is aborted
 * before anything irreversible: the old owner keeps the partition at epoch + 1 (its fence is there already) and
 * {@link SwitchoverAbortedException} says why. Stateless; one call per switchover, from any process with the
 * store's rights. Afterwards the old primary must be rebuilt as a replica of the new one.
 */
public final class Switchover {

    /**
     * One switchover.
     *
     * @param partition      the partition to move
     * @param target         the site that takes it
     * @param oldPrimary     the partition's primary now
     * @param targetReplica  the replica in {@code target} to promote
     * @param fenceWait      how long writers in flight on the old primary may finish before the bump ends them
     * @param catchUpTimeout how long the target may take to replay the old primary's last WAL
     */
    public record Request(PartitionId partition, SiteId target, Failover.Database oldPrimary,
            Failover.Database targetReplica, Duration fenceWait, Duration catchUpTimeout) {
        public Request {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(oldPrimary, "oldPrimary");
            Objects.requireNonNull(targetReplica, "targetReplica");
            Objects.requireNonNull(fenceWait, "fenceWait");
            Objects.requireNonNull(catchUpTimeout, "catchUpTimeout");
        }
    }

    /**
     * What happened.
     *
     * @param authority     the new authority (owner = target, epoch + 1, timeline start recorded)
     * @param finalLsn      the old primary's WAL position after its fence bump, which the target replayed
     * @param timelineStart where the promoted database's timeline began
     * @param writesStopped from the call to the publication of the moving state
     * @param catchUp       how long the target took to replay up to {@code finalLsn}
     * @param unavailable   from the moving state's publication to the new authority's (writes refused meanwhile)
     */
    public record Report(Authority authority, String finalLsn, TimelineStart timelineStart, Duration writesStopped,
            Duration catchUp, Duration unavailable) {
    }

    private Switchover() {
    }

    /**
     * Runs a switchover.
     *
     * @throws AuthorityConflictException if the authority changed meanwhile (nothing was promoted)
     * @throws SwitchoverAbortedException if the target did not catch up or could not be promoted (authority stays
     *                                    with the old owner, at epoch + 1)
     * @throws IllegalArgumentException   if {@code target} already owns the partition or is unknown
     * @throws SQLException               if the old primary cannot be fenced (the partition stays moving: retry, or
     *                                    abort with {@link AuthorityStore#abortMove})
     */
    public static Report run(AuthorityStore store, Request request) throws SQLException {
        long started = System.nanoTime();
        PartitionId partition = request.partition();
        Authority current = store.read(partition).orElseThrow(() -> new AuthorityStoreException("partition "
                + partition + " has no authority; initialize it first"));
        long epoch = current.epoch();
        store.beginMove(partition, request.target(), epoch);
        long stopped = System.nanoTime();
        long finalLsn;
        try (Connection old = request.oldPrimary().source().open()) {
            Fence.bump(old, epoch + 1, request.fenceWait());
            finalLsn = Wal.current(old);
        }
        TimelineStart start;
        long caughtUp;
        try (Connection target = request.targetReplica().source().open()) {
            try {
                awaitReplay(target, request, finalLsn);
                caughtUp = System.nanoTime();
                Failover.promote(target, request.targetReplica().name());
            } catch (SQLException | SwitchoverAbortedException e) {
                Authority back = store.abortMove(partition, epoch, e.getMessage());
                throw new SwitchoverAbortedException(partition, e.getMessage() + "; " + current.owner()
                        + " keeps the partition at epoch " + back.epoch(), e);
            }
            Fence.install(target, partition.value(), epoch + 1);
            Fence.bump(target, epoch + 1, request.fenceWait());
            start = Wal.timelineStart(target, request.targetReplica().name(), finalLsn);
        }
        try (Connection old = request.oldPrimary().source().open()) {
            Fence.retire(old, request.fenceWait());
        }
        Authority published = store.completeMove(partition, request.target(), epoch, start);
        long done = System.nanoTime();
        return new Report(published, Wal.format(finalLsn), start, Duration.ofNanos(stopped - started),
                Duration.ofNanos(caughtUp - stopped), Duration.ofNanos(done - stopped));
    }

    private static void awaitReplay(Connection target, Request request, long finalLsn) throws SQLException {
        if (!Wal.inRecovery(target)) {
            throw new SwitchoverAbortedException(request.partition(), request.targetReplica().name()
                    + " is not a replica (not in recovery)", null);
        }
        long deadline = System.nanoTime() + request.catchUpTimeout().toNanos();
        while (Long.compareUnsigned(Wal.replayed(target), finalLsn) < 0) {
            if (System.nanoTime() > deadline) {
                throw new SwitchoverAbortedException(request.partition(), request.targetReplica().name()
                        + " did not replay up to " + Wal.format(finalLsn) + " within " + request.catchUpTimeout()
                        + " (it is at " + Wal.format(Wal.replayed(target)) + ")", null);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
