package dev.domicile.router.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every write a fault test attempted: where, for which partition, at which epoch, when it started and ended (the
 * client's {@link System#nanoTime()}), and what became of it. Thread-safe; writers append, the checker reads a copy.
 */
final class WriteHistory {

    /** What the client learned of a write. */
    enum Outcome {
        /** The commit returned: the write is acknowledged and must never be lost. */
        ACKNOWLEDGED,
        /** Refused before reaching a database (not admitted, split brain, home unavailable): never written. */
        REFUSED,
        /** Refused by the database fence (SQLSTATE DM001): never committed. */
        FENCED,
        /** Failed before its commit was sent (e.g. aborted by the router): never committed. */
        ABORTED,
        /** The commit was sent and failed without an answer: committed or not, the read-back says which. */
        UNKNOWN
    }

    /**
     * One write.
     *
     * @param id         unique key of the row it inserts
     * @param site       the site whose router (or client) made it
     * @param partition  the partition written
     * @param epoch      the epoch the router admitted it with, -1 if it was never admitted
     * @param startNanos when the client began it
     * @param endNanos   when the client learned its outcome
     * @param outcome    what the client learned
     * @param lsnBefore  for acknowledged writes, the WAL insert position read inside the transaction just before its
     *                   commit (the commit record starts at or after it); 0 if not measured
     * @param commitLsn  for acknowledged writes, the WAL position the router read right after the commit (the
     *                   commit record ends at or before it); 0 if not measured
     * @param detail     the error, if any
     */
    record Write(String id, String site, String partition, long epoch, long startNanos, long endNanos,
                 Outcome outcome, long lsnBefore, long commitLsn, String detail) {
        Write {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(site, "site");
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(outcome, "outcome");
            if (endNanos < startNanos) {
                throw new IllegalArgumentException("write " + id + " ends before it starts");
            }
        }

        boolean acknowledged() {
            return outcome == Outcome.ACKNOWLEDGED;
        }
    }

    private final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();

    void add(Write write) {
        writes.add(Objects.requireNonNull(write, "write"));
    }

    /** A history holding the writes recorded so far, and nothing recorded later. */
    WriteHistory snapshot() {
        WriteHistory copy = new WriteHistory();
        copy.writes.addAll(writes);
        return copy;
    }

    /** A copy of every write so far, ordered by start. */
    List<Write> writes() {
        List<Write> copy = new ArrayList<>(writes);
        copy.sort(Comparator.comparingLong(Write::startNanos));
        return copy;
    }

    /** Writes of {@code site} with {@code outcome}, ordered by start. */
    List<Write> of(String site, Outcome outcome) {
        return writes().stream().filter(w -> w.site().equals(site) && w.outcome() == outcome).toList();
    }

    long count(Outcome outcome) {
        return writes.stream().filter(w -> w.outcome() == outcome).count();
    }
}
