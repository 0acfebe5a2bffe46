package dev.domicile.router.faults;

import dev.domicile.router.faults.WriteHistory.Outcome;
import dev.domicile.router.faults.WriteHistory.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Judges a {@link WriteHistory} of one partition against the truth: its {@link AuthorityTimeline} and what the final
 * primary holds (the read-back). It finds
 *
 * <ul>
 *   <li><b>wrongly accepted</b> writes: committed (acknowledged, or of unknown outcome and present) with an epoch the
 *       timeline does not know, by a site that did not own that epoch, or ending after the next epoch began (the
 *       commit may have happened after authority moved);</li>
 *   <li><b>overlaps</b>: committed writes of different (site, epoch) whose [start, end] intervals intersect, i.e.
 *       two sites admitting writes of the partition at the same instant;</li>
 *   <li><b>lost</b> writes: acknowledged and absent from the final primary. Given the WAL range a failover reported as
 *       possibly lost, a missing write whose commit position lies in it is <em>reported</em> loss; every other
 *       missing write is unreported loss, and a write present although its commit lies in the range is
 *       over-reported (the range is a position in the failed primary's WAL, so only writes of epochs before the
 *       timeline's last are held against it);</li>
 *   <li><b>phantoms</b>: refused, fenced or aborted writes that are nevertheless present; and rows whose stored epoch
 *       differs from the epoch the router admitted the write with.</li>
 * </ul>
 *
 * Stateless.
 */
final class HistoryChecker {

    /** A WAL range {@code (afterExclusive, upToInclusive]} as PostgreSQL LSNs (unsigned). */
    record LsnRange(long afterExclusive, long upToInclusive) {
        boolean contains(long lsn) {
            return Long.compareUnsigned(lsn, afterExclusive) > 0 && Long.compareUnsigned(lsn, upToInclusive) <= 0;
        }

        /** Parses {@code (X/Y, X/Y]} as {@code Failover.Report.mayLose()} prints it. */
        static LsnRange parse(String text) {
            String inner = text.trim();
            if (!inner.startsWith("(") || !inner.endsWith("]")) {
                throw new IllegalArgumentException("not a range '(lsn, lsn]': " + text);
            }
            String[] parts = inner.substring(1, inner.length() - 1).split(",");
            return new LsnRange(lsn(parts[0].trim()), lsn(parts[1].trim()));
        }

        static long lsn(String text) {
            int slash = text.indexOf('/');
            return Long.parseLong(text.substring(0, slash), 16) << 32 | Long.parseLong(text.substring(slash + 1), 16);
        }
    }

    /** The figures of one check; {@code anomalies} describes the first few problems found. */
    record Result(String partition, int attempted, int acknowledged, int refused, int fenced, int aborted,
                  int unknown, int unknownPresent, int wronglyAccepted, int overlaps, int lost, int reportedLost,
                  int overReported, int phantoms, int epochMismatches, List<String> anomalies) {

        boolean clean() {
            return wronglyAccepted == 0 && overlaps == 0 && lost == 0 && overReported == 0 && phantoms == 0
                    && epochMismatches == 0;
        }

        String summary() {
            return "partition " + partition + ": " + attempted + " writes (" + acknowledged + " acknowledged, "
                    + refused + " refused, " + fenced + " fenced, " + aborted + " aborted, " + unknown + " unknown of"
                    + " which " + unknownPresent + " committed); wrongly accepted " + wronglyAccepted + ", overlaps "
                    + overlaps + ", lost " + lost + " (reported lost " + reportedLost + ", over-reported "
                    + overReported + "), phantoms " + phantoms + ", epoch mismatches " + epochMismatches;
        }
    }

    private static final int MAX_ANOMALIES = 20;

    private HistoryChecker() {
    }

    /**
     * Checks the writes of {@code partition}.
     *
     * @param readBack     id → epoch stored in the row, for every row of the partition's final primary
     * @param reportedLoss the WAL range a failover reported as possibly lost, if any
     */
    static Result check(WriteHistory history, String partition, AuthorityTimeline timeline, Map<String, Long> readBack,
                        Optional<LsnRange> reportedLoss) {
        List<Write> writes = history.writes().stream().filter(w -> w.partition().equals(partition)).toList();
        List<String> anomalies = new ArrayList<>();
        int[] counts = new int[Outcome.values().length];
        int wrong = 0;
        int lost = 0;
        int reportedLost = 0;
        int overReported = 0;
        int phantoms = 0;
        int mismatches = 0;
        int unknownPresent = 0;
        List<Write> committedWrites = new ArrayList<>();
        for (Write w : writes) {
            counts[w.outcome().ordinal()]++;
            boolean present = readBack.containsKey(w.id());
            boolean committed = w.acknowledged() || (w.outcome() == Outcome.UNKNOWN && present);
            if (committed) {
                committedWrites.add(w);
                String why = notAllowed(w, timeline);
                if (why != null) {
                    wrong++;
                    note(anomalies, "wrongly accepted (" + why + "): " + w);
                }
            }
            if (!w.acknowledged()) {
                if (w.outcome() == Outcome.UNKNOWN) {
                    unknownPresent += present ? 1 : 0;
                } else if (present) {
                    phantoms++;
                    note(anomalies, "phantom: " + w.outcome() + " write is present: " + w);
                }
                continue;
            }
            // The range is a position in the WAL of the primary the failover left: it speaks of older epochs only.
            boolean beforeFailover = w.epoch() < timeline.lastEpoch();
            if (!present) {
                if (beforeFailover && reportedLoss.isPresent() && w.commitLsn() != 0
                        && reportedLoss.get().contains(w.commitLsn())) {
                    reportedLost++;
                } else {
                    lost++;
                    note(anomalies, "lost" + (reportedLoss.isPresent() ? " outside the reported range "
                            + reportedLoss.get() : "") + ": " + w);
                }
            } else {
                if (beforeFailover && reportedLoss.isPresent() && w.lsnBefore() != 0
                        && Long.compareUnsigned(w.lsnBefore(), reportedLoss.get().afterExclusive()) >= 0
                        && Long.compareUnsigned(w.lsnBefore(), reportedLoss.get().upToInclusive()) < 0) {
                    overReported++;
                    note(anomalies, "present, but its commit lies in the reported range " + reportedLoss.get() + ": "
                            + w);
                }
                Long stored = readBack.get(w.id());
                if (stored != null && stored != w.epoch()) {
                    mismatches++;
                    note(anomalies, "stored with epoch " + stored + ": " + w);
                }
            }
        }
        int overlaps = overlaps(committedWrites, anomalies);
        return new Result(partition, writes.size(), counts[Outcome.ACKNOWLEDGED.ordinal()],
                counts[Outcome.REFUSED.ordinal()], counts[Outcome.FENCED.ordinal()], counts[Outcome.ABORTED.ordinal()],
                counts[Outcome.UNKNOWN.ordinal()], unknownPresent, wrong, overlaps, lost, reportedLost, overReported,
                phantoms, mismatches, List.copyOf(anomalies));
    }

    private static String notAllowed(Write w, AuthorityTimeline timeline) {
        Optional<AuthorityTimeline.Term> term = timeline.term(w.epoch());
        if (term.isEmpty()) {
            return "epoch " + w.epoch() + " was never in force";
        }
        if (!term.get().owner().equals(w.site())) {
            return "epoch " + w.epoch() + " belongs to " + term.get().owner();
        }
        long superseded = timeline.supersededAt(w.epoch());
        if (w.endNanos() > superseded) {
            return "ended " + (w.endNanos() - superseded) / 1_000 + " us after the next epoch began";
        }
        return null;
    }

    /** Committed writes (ordered by start) whose interval intersects an earlier-starting one of another group. */
    private static int overlaps(List<Write> committed, List<String> anomalies) {
        Map<String, Write> longestByGroup = new HashMap<>();
        int overlaps = 0;
        for (Write w : committed) {
            String group = w.site() + "@" + w.epoch();
            for (Map.Entry<String, Write> other : longestByGroup.entrySet()) {
                if (!other.getKey().equals(group) && other.getValue().endNanos() > w.startNanos()) {
                    overlaps++;
                    note(anomalies, "overlap: " + w + " began before " + other.getValue() + " ended");
                    break;
                }
            }
            longestByGroup.merge(group, w, (a, b) -> a.endNanos() >= b.endNanos() ? a : b);
        }
        return overlaps;
    }

    private static void note(List<String> anomalies, String anomaly) {
        if (anomalies.size() < MAX_ANOMALIES) {
            anomalies.add(anomaly);
        }
    }
}
