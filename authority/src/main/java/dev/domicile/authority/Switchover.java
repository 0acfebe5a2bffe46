package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
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
 *
 * <p>A failover may overtake a switchover: while the partition is moving the owner keeps its lease, but if the owner
 * site loses its ZooKeeper session the lease node vanishes and a {@link FailoverCoordinator} takes the partition over
 * (a claim of epoch + 1 by compare-and-set, which ends the moving state). Then the switchover can neither complete nor
 * abort — both are compare-and-sets on the moving state at the old epoch — so exactly one of the two publishes epoch
 * + 1, and the old owner is never restored. The switchover notices at its next check (before fencing the old
 * primary, before promoting the target, at the publication) and throws {@link SwitchoverPreemptedException}; a
 * target it had already promoted is retired then, unless its own site won the failover. Before it begins, a
 * switchover checks that {@code oldPrimary} is the owner's primary at the current epoch, so a retry after a failover
 * is refused instead of fencing, replaying and promoting from the wrong database.
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
     * @param promoter       how the target replica is promoted ({@link Promoter#pgPromote()} unless given)
     */
    public record Request(PartitionId partition, SiteId target, Failover.Database oldPrimary,
            Failover.Database targetReplica, Duration fenceWait, Duration catchUpTimeout, Promoter promoter) {
        public Request {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(oldPrimary, "oldPrimary");
            Objects.requireNonNull(targetReplica, "targetReplica");
            Objects.requireNonNull(fenceWait, "fenceWait");
            Objects.requireNonNull(catchUpTimeout, "catchUpTimeout");
            Objects.requireNonNull(promoter, "promoter");
        }

        /** A request promoting with {@link Promoter#pgPromote()}. */
        public Request(PartitionId partition, SiteId target, Failover.Database oldPrimary,
                Failover.Database targetReplica, Duration fenceWait, Duration catchUpTimeout) {
            this(partition, target, oldPrimary, targetReplica, fenceWait, catchUpTimeout, Promoter.pgPromote());
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

    /**
     * The steps of a switchover, in order, each reported to a {@link StepListener} once done (a test seam, used to
     * inject faults at a chosen step).
     */
    enum Step {
        /** The partition is published as moving: no router admits writes of it. */
        MOVING,
        /** The old primary's fence is at epoch + 1 and its final WAL position is known. */
        OLD_FENCED,
        /** The target replica has replayed up to that position (not promoted yet). */
        CAUGHT_UP,
        /** The target is promoted and its fence raised to epoch + 1 (not published yet). */
        PROMOTED,
        /** The old primary is retired; next is the publication ({@link AuthorityStore#completeMove}). */
        OLD_RETIRED
    }

    /** Told each step of a switchover as it is done, on the switchover's thread (package-private test seam). */
    @FunctionalInterface
    interface StepListener {
        void reached(Step step);
    }

    private Switchover() {
    }

    /**
     * Runs a switchover.
     *
     * <p>If the authority stops being the moving state this switchover published (an automatic failover took the
     * partition over because the owner's lease vanished, or somebody aborted the move), the switchover stops at its
     * next check — before fencing the old primary, before promoting the target, and at the publication, which is a
     * compare-and-set on the moving state — and throws {@link SwitchoverPreemptedException}: it neither completes nor
     * restores the old owner. A target it had already promoted is retired unless its site owns the partition now.
     *
     * @throws IllegalArgumentException      if {@code target} already owns the partition or is unknown, or
     *                                       {@code oldPrimary} is not the owner's primary at the current epoch (a
     *                                       replica, retired, its fence at another epoch, or another database recorded
     *                                       as the timeline's start: e.g. a retry after a failover moved the
     *                                       partition); nothing was changed
     * @throws AuthorityConflictException    if the authority changed before the switchover began (nothing changed)
     * @throws SwitchoverPreemptedException  if the authority changed while the partition was moving (see above)
     * @throws SwitchoverAbortedException    if the target did not catch up or could not be promoted (authority stays
     *                                       with the old owner, at epoch + 1)
     * @throws SQLException                  if the old primary cannot be checked (nothing changed) or fenced (the
     *                                       partition stays moving: retry the fence by hand and abort with
     *                                       {@link AuthorityStore#abortMove}), or the promoted target cannot be
     *                                       fenced or retired (the partition stays moving with the target promoted:
     *                                       never abort then; finish it as the runbook says)
     */
    public static Report run(AuthorityStore store, Request request) throws SQLException {
        return run(store, request, step -> { });
    }

    /** As {@link #run(AuthorityStore, Request)}, telling {@code steps} each step once done. */
    static Report run(AuthorityStore store, Request request, StepListener steps) throws SQLException {
        long started = System.nanoTime();
        PartitionId partition = request.partition();
        Authority current = store.read(partition).orElseThrow(() -> new AuthorityStoreException("partition "
                + partition + " has no authority; initialize it first"));
        long epoch = current.epoch();
        try (Connection old = request.oldPrimary().source().open()) {
            requireOwnersPrimary(old, current, request);
        }
        store.beginMove(partition, request.target(), epoch);
        long stopped = System.nanoTime();
        steps.reached(Step.MOVING);
        long finalLsn;
        try (Connection old = request.oldPrimary().source().open()) {
            requireStillMoving(store, request, epoch, Step.MOVING, null);
            Fence.bump(old, epoch + 1, request.fenceWait());
            finalLsn = Wal.current(old);
        } catch (SQLException e) {
            requireStillMoving(store, request, epoch, Step.MOVING, e);
            throw e;
        }
        steps.reached(Step.OLD_FENCED);
        TimelineStart start;
        long caughtUp;
        try (Connection target = request.targetReplica().source().open()) {
            Step reached = Step.OLD_FENCED;
            try {
                awaitReplay(target, request, finalLsn);
                caughtUp = System.nanoTime();
                reached = Step.CAUGHT_UP;
                steps.reached(Step.CAUGHT_UP);
                requireStillMoving(store, request, epoch, Step.CAUGHT_UP, null);
                request.promoter().promote(request.targetReplica(), target);
                if (request.promoter().needsPromotion(target)) {
                    throw new SQLException(request.targetReplica().name() + " is still in recovery after its"
                            + " promoter returned");
                }
            } catch (SQLException | SwitchoverAbortedException e) {
                throw abort(store, request, current, reached, e);
            }
            try {
                Fence.install(target, partition.value(), epoch + 1);
                Fence.bump(target, epoch + 1, request.fenceWait());
                start = Wal.timelineStart(target, request.targetReplica().name(), finalLsn);
            } catch (SQLException e) {
                // e.g. a failover retired the old primary after the last check and the target replayed that
                Authority now = readNow(store, partition);
                if (!stillMoving(now, request, epoch)) {
                    throw preempted(now, request, Step.CAUGHT_UP, true, e);
                }
                throw e;
            }
        }
        steps.reached(Step.PROMOTED);
        try (Connection old = request.oldPrimary().source().open()) {
            Fence.retire(old, request.fenceWait());
        }
        steps.reached(Step.OLD_RETIRED);
        Authority published = complete(store, request, epoch, start);
        long done = System.nanoTime();
        return new Report(published, Wal.format(finalLsn), start, Duration.ofNanos(stopped - started),
                Duration.ofNanos(caughtUp - stopped), Duration.ofNanos(done - stopped));
    }

    /**
     * Refuses a request whose {@code oldPrimary} is not the primary of the authority in force: a replica, a retired
     * database, one whose fence is at another epoch, or one other than the database recorded as the timeline's start.
     */
    private static void requireOwnersPrimary(Connection old, Authority current, Request request) throws SQLException {
        String name = request.oldPrimary().name();
        String owner = current.owner() + "'s primary at epoch " + current.epoch();
        if (Wal.inRecovery(old)) {
            throw new IllegalArgumentException(name + " is a replica (in recovery), not " + owner);
        }
        if (current.timelineStart().isPresent() && !current.timelineStart().get().database().equals(name)) {
            throw new IllegalArgumentException(name + " is not " + owner + ": the authority records "
                    + current.timelineStart().get().database() + " as the database promoted for it ("
                    + current.reason() + "); name the current primary");
        }
        long fence = Fence.epoch(old);
        if (fence != current.epoch()) {
            throw new IllegalArgumentException(name + " is not " + owner + ": its fence is at "
                    + (fence == Fence.RETIRED ? "RETIRED" : "epoch " + fence) + " (a failover or switchover moved"
                    + " the partition since?); name the current primary");
        }
    }

    /**
     * Returns if the authority is still the moving state this switchover published at {@code epoch}; otherwise
     * throws {@link SwitchoverPreemptedException} (nothing promoted), with {@code cause} if there is one.
     */
    private static void requireStillMoving(AuthorityStore store, Request request, long epoch, Step step,
            Exception cause) {
        Authority now = readNow(store, request.partition());
        if (!stillMoving(now, request, epoch)) {
            throw preempted(now, request, step, false, cause);
        }
    }

    private static boolean stillMoving(Authority now, Request request, long epoch) {
        return now.epoch() == epoch && now.movingTo().filter(request.target()::equals).isPresent();
    }

    /** Gives the move up after {@code why} (nothing promoted), unless the authority already changed without it. */
    private static RuntimeException abort(AuthorityStore store, Request request, Authority current, Step step,
            Exception why) {
        Authority back;
        try {
            back = store.abortMove(request.partition(), current.epoch(), why.getMessage());
        } catch (AuthorityConflictException conflict) {
            Authority now = readNow(store, request.partition());
            if (!isOwnAbort(now, current, why.getMessage())) {
                why.addSuppressed(conflict);
                return preempted(now, request, step, false, why);
            }
            back = now; // our abort was written, its answer lost and the retry refused
        }
        return new SwitchoverAbortedException(request.partition(), why.getMessage() + "; " + current.owner()
                + " keeps the partition at epoch " + back.epoch(), why);
    }

    /** Publishes the target as owner; if the moving state was replaced meanwhile, cleans up and says so. */
    private static Authority complete(AuthorityStore store, Request request, long epoch, TimelineStart start) {
        for (int attempt = 1; ; attempt++) {
            try {
                return store.completeMove(request.partition(), request.target(), epoch, start);
            } catch (AuthorityConflictException e) {
                Authority now = readNow(store, request.partition());
                if (isOwnCompletion(now, request, epoch, start)) {
                    return now; // our publication was written, its answer lost and the retry refused
                }
                if (!stillMoving(now, request, epoch) || attempt == 3) {
                    throw preempted(now, request, Step.OLD_RETIRED, true, e);
                }
            }
        }
    }

    /** Whether {@code now} is this switchover's own publication ({@link AuthorityStore#completeMove}). */
    private static boolean isOwnCompletion(Authority now, Request request, long epoch, TimelineStart start) {
        return now.epoch() == epoch + 1 && now.owner().equals(request.target()) && now.admitsWrites()
                && now.timelineStart().equals(Optional.of(start)) && now.reason().startsWith("planned switchover from");
    }

    /** Whether {@code now} is this switchover's own abort ({@link AuthorityStore#abortMove}). */
    private static boolean isOwnAbort(Authority now, Authority before, String why) {
        return now.epoch() == before.epoch() + 1 && now.owner().equals(before.owner()) && now.admitsWrites()
                && now.reason().endsWith(" aborted: " + why);
    }

    /**
     * The exception for a switchover overtaken by {@code now}. A target this switchover promoted is retired unless
     * its site owns the partition now (and no other database is recorded as promoted for it).
     */
    private static SwitchoverPreemptedException preempted(Authority now, Request request, Step step, boolean promoted,
            Exception cause) {
        if (!promoted) {
            return new SwitchoverPreemptedException(now, step, SwitchoverPreemptedException.TargetState.NOT_PROMOTED,
                    "", cause);
        }
        String target = request.targetReplica().name();
        if (now.owner().equals(request.target())
                && now.timelineStart().map(s -> s.database().equals(target)).orElse(true)) {
            return new SwitchoverPreemptedException(now, step, SwitchoverPreemptedException.TargetState.KEPT,
                    target + " stays promoted: its site " + request.target() + " owns the partition now", cause);
        }
        try (Connection connection = request.targetReplica().source().open()) {
            Fence.retire(connection, request.fenceWait());
            return new SwitchoverPreemptedException(now, step, SwitchoverPreemptedException.TargetState.RETIRED,
                    target + " had been promoted and is retired now; rebuild it as a replica of the new primary",
                    cause);
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
            return new SwitchoverPreemptedException(now, step, SwitchoverPreemptedException.TargetState.NOT_RETIRED,
                    target + " had been promoted and could not be retired (" + e.getMessage() + "): it is a second"
                            + " writable primary; retire or stop it", cause == null ? e : cause);
        }
    }

    private static Authority readNow(AuthorityStore store, PartitionId partition) {
        return store.read(partition).orElseThrow(() -> new AuthorityStoreException("partition " + partition
                + " has no authority any more"));
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
