package dev.domicile.authority;

import java.util.Objects;

/**
 * Where a promoted database's history begins: the WAL position at which it left the old primary's timeline and the
 * timeline it writes on since. Everything the old primary wrote up to {@code lsn} is on the new primary; anything the
 * old primary holds beyond it on the old timeline is a {@link Divergence}.
 *
 * @param database the promoted database's name
 * @param lsn      the switch point: the end of the old timeline's WAL it replayed (unsigned 64-bit position)
 * @param timeline the timeline it writes on since promotion
 */
public record TimelineStart(String database, long lsn, long timeline) {

    public TimelineStart {
        Objects.requireNonNull(database, "database");
        if (timeline < 1) {
            throw new IllegalArgumentException("timeline must be >= 1, was " + timeline);
        }
    }

    /** The switch point in PostgreSQL's text form, e.g. {@code 0/3000158}. */
    public String lsnText() {
        return Wal.format(lsn);
    }

    @Override
    public String toString() {
        return database + " on timeline " + timeline + " from " + lsnText();
    }
}
