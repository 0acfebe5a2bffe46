package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Moves a partition's authority to a standby site after its owner was lost, and makes the standby's replica the
 * partition's primary under a declared recovery-point policy:
 *
 * <ol>
 *   <li>the policy is checked first: {@link RecoveryPolicy#SAFE} needs the candidate to be the old primary's
 *       synchronous standby (so every acknowledged commit is on it) and refuses otherwise, leaving the partition
 *       unavailable; {@link RecoveryPolicy#AVAILABLE} takes any replica whose lag behind the last known primary
 *       position is within the request's {@link LagBound} (refused otherwise) and reports the WAL range that may be
 *       lost;</li>
 *   <li>authority moves in ZooKeeper ({@link AuthorityStore#takeOver}: only once the owner's lease is gone and the
 *       safety margin has passed), which raises the epoch, published {@linkplain Authority.Phase#FENCING FENCING}:
 *       the old owner's routers stop admitting writes, and nobody admits writes of the new epoch yet;</li>
 *   <li>the candidate is promoted (by the request's {@link Promoter}, {@code pg_promote} by default) and its fence
 *       raised to the new epoch; then the epoch is
 *       published {@linkplain Authority.Phase#ACTIVE ACTIVE} ({@link AuthorityStore#activate}), with where the
 *       promoted database's timeline began ({@link TimelineStart}), and only now does the new owner admit writes. If
 *       promotion or fencing fails, the partition stays FENCING (unwritable) and {@link FencingIncompleteException}
 *       says so; {@link #resume} completes it later;</li>
 *   <li>every other database of the partition that can be reached and is not a replica (the old primary, if it is
 *       still up) is first checked for a {@link Divergence} (read-only), then retired ({@link Fence#retire}: it
 *       refuses every write). One that cannot be reached is left to {@link #fenceReturning} or
 *       {@link Divergence#check} when it returns ({@link FailoverCoordinator} does that by itself).</li>
 * </ol>
 *
 * <p>Stateless; one call per failover. Databases are opened through {@link Database#source()} and closed again.
 */
public final class Failover {

    /** What a failover may lose. */
    public enum RecoveryPolicy {
        /** No acknowledged write may be lost: only a synchronous standby may be promoted, else stay unavailable. */
        SAFE,
        /** Promote a replica even if it may miss acknowledged writes; the report says which WAL range. */
        AVAILABLE
    }

    /**
     * The most an AVAILABLE failover may lose: the candidate's received WAL may be at most {@code maxBytes} behind the
     * last primary position the caller knows ({@link Request#lastKnownPrimaryLsn()}), else the failover is refused
     * and the partition stays unavailable. A bounded failover with no known primary position is refused too, since
     * its lag cannot be measured. Not applied to SAFE, which promotes only a synchronous standby.
     *
     * @param maxBytes the largest accepted lag in bytes of WAL, at least 0; {@link Long#MAX_VALUE} for no bound
     */
    public record LagBound(long maxBytes) {

        /** No bound: any replica may be promoted (the report still says what may be lost). */
        public static final LagBound UNBOUNDED = new LagBound(Long.MAX_VALUE);

        public LagBound {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("lag bound maxBytes = " + maxBytes + " is invalid: it must be >= 0"
                        + " (bytes of WAL behind the last known primary position)");
            }
        }

        /** A bound of {@code maxBytes} bytes of WAL. */
        public static LagBound ofBytes(long maxBytes) {
            return new LagBound(maxBytes);
        }

        /** Whether this is a bound at all. */
        public boolean bounded() {
            return maxBytes != Long.MAX_VALUE;
        }
    }

    /** Opens a JDBC connection to one database; the failover closes it. */
    @FunctionalInterface
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    /**
     * A database of the partition.
     *
     * @param name   for the report
     * @param source how to reach it
     */
    public record Database(String name, ConnectionSource source) {
        public Database {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * One failover.
     *
     * @param partition            the partition to move
     * @param standby              the site taking it over
     * @param candidate            the replica in {@code standby} to promote
     * @param candidateSynchronous whether the candidate is the old primary's synchronous standby
     * @param others               the partition's other databases (the old primary first); where reachable and not a
     *                             replica, checked for divergence and retired
     * @param policy               the recovery-point policy
     * @param lastKnownPrimaryLsn  the old primary's last WAL position known to the caller (e.g. its router monitor),
     *                             0 if unknown; bounds the loss an AVAILABLE failover reports
     * @param fenceWait            how long writers in flight on a database may finish before its fence bump ends them
     * @param lagBound             for AVAILABLE, how far behind {@code lastKnownPrimaryLsn} the candidate may be
     * @param promoter             how the candidate is promoted ({@link Promoter#pgPromote()} unless given)
     */
    public record Request(PartitionId partition, SiteId standby, Database candidate, boolean candidateSynchronous,
                          List<Database> others, RecoveryPolicy policy, long lastKnownPrimaryLsn,
                          Duration fenceWait, LagBound lagBound, Promoter promoter) {
        public Request {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(standby, "standby");
            Objects.requireNonNull(candidate, "candidate");
            others = List.copyOf(others);
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(fenceWait, "fenceWait");
            Objects.requireNonNull(lagBound, "lagBound");
            Objects.requireNonNull(promoter, "promoter");
        }

        /** A request promoting with {@link Promoter#pgPromote()}. */
        public Request(PartitionId partition, SiteId standby, Database candidate, boolean candidateSynchronous,
                List<Database> others, RecoveryPolicy policy, long lastKnownPrimaryLsn, Duration fenceWait,
                LagBound lagBound) {
            this(partition, standby, candidate, candidateSynchronous, others, policy, lastKnownPrimaryLsn, fenceWait,
                    lagBound, Promoter.pgPromote());
        }

        /** A request without a lag bound. */
        public Request(PartitionId partition, SiteId standby, Database candidate, boolean candidateSynchronous,
                List<Database> others, RecoveryPolicy policy, long lastKnownPrimaryLsn, Duration fenceWait) {
            this(partition, standby, candidate, candidateSynchronous, others, policy, lastKnownPrimaryLsn, fenceWait,
                    LagBound.UNBOUNDED);
        }
    }

    /**
     * What happened.
     *
     * @param authority the new authority (owner = standby, epoch raised, ACTIVE)
     * @param promoted  the database that is now the primary
     * @param received  the last WAL position the candidate had received from the old primary
     * @param mayLose   for AVAILABLE, the WAL range {@code (received, lastKnownPrimaryLsn]} whose commits may be lost,
     *                  empty if none (always empty for SAFE)
     * @param fences    per other database: {@code retired}, {@code in recovery…}, or why it could not be reached
     * @param divergences the reachable other databases that hold WAL the promoted one never received
     * @param timelineStart where the promoted database's timeline began, as recorded in the authority document
     * @param took      from the call to the end
     */
    public record Report(Authority authority, String promoted, String received, Optional<String> mayLose,
                         Map<String, String> fences, List<Divergence> divergences, TimelineStart timelineStart,
                         Duration took) {
        public Report {
            fences = Map.copyOf(fences);
            divergences = List.copyOf(divergences);
        }
    }

    private Failover() {
    }

    /**
     * Runs a failover.
     *
     * @throws FailoverRefusedException   if the policy forbids promoting the candidate, it lags more than the lag
     *                                     bound allows, or it is not a replica (nothing was changed)
     * @throws TakeoverRefusedException   if the owner's lease is not gone or the safety margin has not passed
     * @throws AuthorityConflictException if the authority changed concurrently
     * @throws FencingIncompleteException if the candidate cannot be promoted or fenced: the standby owns the new
     *                                    epoch, FENCING, so the partition stays unwritable until {@link #resume}
     *                                    (or an operator) finishes the promotion and fencing
     * @throws SQLException               if the candidate cannot be reached before the takeover (nothing changed)
     */
    public static Report run(AuthorityStore store, AuthorityWatcher watcher, Request request) throws SQLException {
        long started = System.nanoTime();
        if (request.policy() == RecoveryPolicy.SAFE && !request.candidateSynchronous()) {
            throw new FailoverRefusedException(request.partition(), "policy SAFE promotes only the old primary's"
                    + " synchronous standby, and " + request.candidate().name() + " is not one; the partition stays"
                    + " unavailable (or fail over with AVAILABLE and accept the reported loss)");
        }
        long received;
        try (Connection candidate = request.candidate().source().open()) {
            if (!request.promoter().needsPromotion(candidate)) {
                throw new FailoverRefusedException(request.partition(), request.candidate().name()
                        + " is not a replica (not in recovery)" + promotedBySwitchover(watcher, request));
            }
            received = received(candidate);
        }
        checkLag(request, received);
        Authority claimed = store.takeOver(watcher, request.partition(), request.standby());
        return fenceAndActivate(store, request, claimed, received, started);
    }

    /**
     * Completes a failover that left the partition {@linkplain Authority.Phase#FENCING FENCING} (its promotion or
     * fencing failed, see {@link FencingIncompleteException}): promotes the candidate if it is still a replica,
     * raises its fence to the claimed epoch, publishes the epoch ACTIVE, then retires the other databases as
     * {@link #run} does. Safe to repeat.
     *
     * @throws AuthorityConflictException if the partition is not owned by {@code request.standby()} in FENCING
     * @throws FencingIncompleteException if the candidate still cannot be promoted or fenced (still FENCING)
     */
    public static Report resume(AuthorityStore store, Request request) throws SQLException {
        long started = System.nanoTime();
        Authority current = store.read(request.partition()).orElseThrow(() -> new AuthorityStoreException(
                "partition " + request.partition() + " has no authority"));
        if (!current.owner().equals(request.standby()) || current.phase() != Authority.Phase.FENCING) {
            throw new AuthorityConflictException(request.partition(), current.epoch(), current.epoch(),
                    "nothing to resume: it is " + current.phase() + " owned by " + current.owner() + ", not FENCING"
                            + " owned by " + request.standby());
        }
        long received;
        try (Connection candidate = request.candidate().source().open()) {
            received = received(candidate);
        } catch (SQLException e) {
            throw new FencingIncompleteException(current, request.candidate().name() + " cannot be reached", e);
        }
        return fenceAndActivate(store, request, current, received, started);
    }

    /**
     * If the partition is moving to the standby, the candidate was most likely promoted by that {@link Switchover}:
     * says how it ends (the switchover publishes it, or an operator finishes it if the switchover stopped).
     */
    private static String promotedBySwitchover(AuthorityWatcher watcher, Request request) {
        return watcher.authority(request.partition())
                .filter(a -> a.movingTo().filter(request.standby()::equals).isPresent())
                .map(a -> "; the partition is moving from " + a.owner() + " to " + request.standby() + " at epoch "
                        + a.epoch() + ", whose switchover has promoted it: the switchover publishes it; if the"
                        + " switchover stopped, finish it by hand (AuthorityStore.claim, then Failover.resume)")
                .orElse("");
    }

    /** Refuses an AVAILABLE failover whose candidate is further behind than the request's bound. */
    private static void checkLag(Request request, long received) {
        LagBound bound = request.lagBound();
        if (request.policy() != RecoveryPolicy.AVAILABLE || !bound.bounded()) {
            return;
        }
        long known = request.lastKnownPrimaryLsn();
        if (known == 0) {
            throw new FailoverRefusedException(request.partition(), "the lag of " + request.candidate().name()
                    + " cannot be measured (the last primary position is unknown) and the lag bound is "
                    + bound.maxBytes() + " bytes; the partition stays unavailable");
        }
        long lag = Long.compareUnsigned(known, received) > 0 ? known - received : 0;
        if (Long.compareUnsigned(lag, bound.maxBytes()) > 0) {
            throw new FailoverRefusedException(request.partition(), request.candidate().name() + " has received WAL"
                    + " up to " + format(received) + ", " + Long.toUnsignedString(lag) + " bytes behind the last known"
                    + " primary position " + format(known) + ", more than the lag bound of " + bound.maxBytes()
                    + " bytes; the partition stays unavailable (raise the bound to accept the loss)");
        }
    }

    /** Promotes and fences the candidate for {@code claimed} (FENCING), then publishes it ACTIVE and retires others. */
    private static Report fenceAndActivate(AuthorityStore store, Request request, Authority claimed, long received,
            long started) throws SQLException {
        TimelineStart start;
        try (Connection candidate = request.candidate().source().open()) {
            if (request.promoter().needsPromotion(candidate)) {
                request.promoter().promote(request.candidate(), candidate);
                if (request.promoter().needsPromotion(candidate)) {
                    throw new SQLException(request.candidate().name() + " is still in recovery after its promoter"
                            + " returned");
                }
            }
            Fence.install(candidate, request.partition().value(), claimed.epoch());
            Fence.bump(candidate, claimed.epoch(), request.fenceWait());
            start = Wal.timelineStart(candidate, request.candidate().name(), received);
        } catch (SQLException e) {
            throw new FencingIncompleteException(claimed, request.candidate().name() + " could not be promoted or"
                    + " fenced", e);
        }
        Authority authority = store.activate(request.partition(), claimed.epoch(), start);
        Map<String, String> fences = new LinkedHashMap<>();
        List<Divergence> divergences = new ArrayList<>();
        for (Database other : request.others()) {
            fences.put(other.name(), retireQuietly(request.partition(), other, start, request.fenceWait(),
                    divergences));
        }
        Optional<String> mayLose = Optional.empty();
        if (request.policy() == RecoveryPolicy.AVAILABLE
                && Long.compareUnsigned(request.lastKnownPrimaryLsn(), received) > 0) {
            mayLose = Optional.of("(" + format(received) + ", " + format(request.lastKnownPrimaryLsn()) + "]");
        }
        return new Report(authority, request.candidate().name(), format(received), mayLose, fences, divergences, start,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * Raises the fence of a database that was unreachable during a failover and has come back (the old primary,
     * typically), so that it refuses writes of the old epoch. Run it before letting the database serve again.
     *
     * @return the epoch in force, or why it could not be raised
     */
    public static String fenceReturning(Database database, long epoch, Duration wait) {
        return fenceQuietly(database, epoch, wait);
    }

    /** Checks a reachable non-replica for divergence, then retires it; says what happened. */
    private static String retireQuietly(PartitionId partition, Database database, TimelineStart start, Duration wait,
            List<Divergence> divergences) {
        try (Connection connection = database.source().open()) {
            if (inRecovery(connection)) {
                return "in recovery: its fence follows its primary's";
            }
            Divergence.check(partition, database, start).ifPresent(divergences::add);
            Fence.retire(connection, wait);
            return "retired";
        } catch (SQLException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    private static String fenceQuietly(Database database, long epoch, Duration wait) {
        try (Connection connection = database.source().open()) {
            if (inRecovery(connection)) {
                return "in recovery: its fence follows its primary's";
            }
            return "epoch " + Fence.bump(connection, epoch, wait);
        } catch (SQLException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    private static boolean inRecovery(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** The last WAL position a replica received (or replayed, if it streams nothing), 0 if none. */
    private static long received(Connection candidate) throws SQLException {
        return Wal.parse(Wal.query(candidate,
                "SELECT coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::text"));
    }

    private static String format(long lsn) {
        return Wal.format(lsn);
    }
}
