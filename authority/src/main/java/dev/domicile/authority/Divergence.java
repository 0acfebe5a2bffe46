package dev.domicile.authority;

import dev.domicile.partition.PartitionId;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;

/**
 * An old primary holds transactions that the new primary never received: after a failover, the old primary's WAL
 * goes beyond the point where the promoted database's timeline began, and that range holds commits. Whatever was
 * committed there exists only on the old primary; Domicile reports it and never merges it (an operator inspects the
 * range, e.g. with {@code pg_waldump} or {@code pg_walinspect}, and rebuilds the old primary as a replica).
 *
 * <p>WAL alone is not proof: an old primary writes WAL of its own without any transaction (a full-page image when a
 * read sets a hint bit on a checksummed database, the end-of-recovery checkpoint after a crash, a standby snapshot).
 * So the commits in the range are counted with {@code pg_walinspect} when that extension is installed in the old
 * primary (install it in the partition's primary before trouble, as a superuser; it is replicated); only a range with
 * commits is a divergence. Without the extension the count is unknown ({@code -1}) and any WAL beyond the switch
 * point is reported. Either way the old primary cannot follow the new timeline without {@code pg_rewind}.
 *
 * @param partition   the partition
 * @param database    the old primary's name
 * @param newTimeline where the promoted database's timeline began (the range's exclusive start)
 * @param oldTimeline the timeline the old primary writes on
 * @param oldLsn      the end of the last WAL record the old primary inserted (the range's inclusive end)
 * @param commits     commit records in the range, by {@code pg_walinspect}; -1 if it could not be counted
 */
public record Divergence(PartitionId partition, String database, TimelineStart newTimeline, long oldTimeline,
        long oldLsn, long commits) {

    public Divergence {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(newTimeline, "newTimeline");
    }

    /** The WAL range only the old primary holds, {@code (start, end]} in PostgreSQL's text form. */
    public String range() {
        return "(" + newTimeline.lsnText() + ", " + Wal.format(oldLsn) + "]";
    }

    /** The range's exclusive start (the new timeline's switch point). */
    public long from() {
        return newTimeline.lsn();
    }

    /** The range's inclusive end (the old primary's WAL position when checked). */
    public long to() {
        return oldLsn;
    }

    /** How many bytes of WAL the range spans. */
    public long bytes() {
        return oldLsn - newTimeline.lsn();
    }

    /**
     * Compares a returning old primary with where the new timeline began. Read-only: run it before the old primary
     * is retired ({@link Fence#retire}), since retiring writes to it.
     *
     * @return the divergence, or empty if the old primary holds no WAL beyond {@code start}, or only WAL without a
     *         commit (counted with {@code pg_walinspect}), or is in recovery (a replica holds no writes of its own)
     * @throws SQLException if the old primary cannot be reached or queried
     */
    public static Optional<Divergence> check(PartitionId partition, Failover.Database oldPrimary, TimelineStart start)
            throws SQLException {
        try (Connection connection = oldPrimary.source().open()) {
            if (Wal.inRecovery(connection)) {
                return Optional.empty();
            }
            long lsn = Wal.inserted(connection);
            long timeline = Wal.timeline(connection);
            if (Long.compareUnsigned(lsn, start.lsn()) <= 0) {
                return Optional.empty();
            }
            long commits = Wal.commitsAfter(connection, start.lsn());
            return commits == 0 ? Optional.empty()
                    : Optional.of(new Divergence(partition, oldPrimary.name(), start, timeline, lsn, commits));
        }
    }

    @Override
    public String toString() {
        return "Divergence[" + partition + ": " + database + " on timeline " + oldTimeline + " holds WAL " + range()
                + " (" + bytes() + " bytes, " + (commits < 0 ? "commits not counted: no pg_walinspect" : commits
                + " commits") + ") that " + newTimeline.database() + " (timeline " + newTimeline.timeline()
                + ") never received]";
    }
}
