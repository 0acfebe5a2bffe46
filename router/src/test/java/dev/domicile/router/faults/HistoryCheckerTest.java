package dev.domicile.router.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domicile.router.faults.HistoryChecker.LsnRange;
import dev.domicile.router.faults.HistoryChecker.Result;
import dev.domicile.router.faults.WriteHistory.Outcome;
import dev.domicile.router.faults.WriteHistory.Write;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checker finds each kind of anomaly in a small hand-made history, and nothing in a correct one. */
class HistoryCheckerTest {

    private static final String P = "eu-west";
    private static final String A = "eu-west";
    private static final String B = "us-east";

    private final WriteHistory history = new WriteHistory();
    private final Map<String, Long> readBack = new HashMap<>();
    private final AuthorityTimeline timeline = AuthorityTimeline.startingWith(A);

    private void write(String id, String site, long epoch, long start, long end, Outcome outcome, boolean present) {
        write(id, site, epoch, start, end, outcome, present, 0, 0);
    }

    private void write(String id, String site, long epoch, long start, long end, Outcome outcome, boolean present,
                       long lsnBefore, long commitLsn) {
        history.add(new Write(id, site, P, epoch, start, end, outcome, lsnBefore, commitLsn, null));
        if (present) {
            readBack.put(id, epoch);
        }
    }

    private Result check() {
        return HistoryChecker.check(history, P, timeline, readBack, Optional.empty());
    }

    @Test
    void aCorrectFailoverHistoryIsClean() {
        write("a1", A, 1, 0, 10, Outcome.ACKNOWLEDGED, true);
        write("a2", A, 1, 20, 30, Outcome.ACKNOWLEDGED, true);
        write("b0", B, -1, 25, 26, Outcome.REFUSED, false);
        write("a3", A, 1, 40, 45, Outcome.UNKNOWN, true);
        timeline.add(2, B, 100);
        write("a4", A, 1, 150, 151, Outcome.FENCED, false);
        write("b1", B, 2, 120, 130, Outcome.ACKNOWLEDGED, true);
        Result result = check();
        assertThat(result.clean()).as(result.anomalies().toString()).isTrue();
        assertThat(result.acknowledged()).isEqualTo(3);
        assertThat(result.unknownPresent()).isEqualTo(1);
        assertThat(result.summary()).contains("wrongly accepted 0", "lost 0");
    }

    @Test
    void aWriteOfTheOldEpochThatEndsAfterTheTakeoverBeganIsWronglyAccepted() {
        write("a1", A, 1, 90, 110, Outcome.ACKNOWLEDGED, true);
        timeline.add(2, B, 100);
        write("b1", B, 1, 120, 130, Outcome.ACKNOWLEDGED, true);
        write("b2", B, 3, 140, 150, Outcome.ACKNOWLEDGED, true);
        Result result = check();
        assertThat(result.wronglyAccepted()).isEqualTo(3);
        assertThat(result.anomalies()).anyMatch(a -> a.contains("after the next epoch began"))
                .anyMatch(a -> a.contains("belongs to eu-west")).anyMatch(a -> a.contains("never in force"));
    }

    @Test
    void aWriteOfUnknownOutcomeThatCommittedIsJudgedLikeAnAcknowledgedOne() {
        write("a1", A, 1, 90, 110, Outcome.UNKNOWN, true);
        write("a2", A, 1, 95, 120, Outcome.UNKNOWN, false);
        timeline.add(2, B, 100);
        write("b1", B, 2, 105, 130, Outcome.ACKNOWLEDGED, true);
        Result result = check();
        assertThat(result.wronglyAccepted()).as("a1 committed and ended after epoch 2 began").isEqualTo(1);
        assertThat(result.overlaps()).as("b1 began before a1 ended").isEqualTo(1);
        assertThat(result.unknownPresent()).isEqualTo(1);
    }

    @Test
    void twoSitesAcknowledgedAtTheSameInstantIsAnOverlap() {
        timeline.add(2, B, 50);
        write("a1", A, 1, 0, 40, Outcome.ACKNOWLEDGED, true);
        write("b1", B, 2, 60, 80, Outcome.ACKNOWLEDGED, true);
        write("b2", B, 2, 85, 90, Outcome.ACKNOWLEDGED, true);
        assertThat(check().overlaps()).isZero();
        write("a2", A, 1, 10, 70, Outcome.ACKNOWLEDGED, true);
        Result result = check();
        assertThat(result.overlaps()).isEqualTo(1);
        assertThat(result.wronglyAccepted()).as("a2 ended after epoch 2 began").isEqualTo(1);
    }

    @Test
    void missingAcknowledgedWritesAreLostAndPresentRefusedOnesArePhantoms() {
        write("a1", A, 1, 0, 10, Outcome.ACKNOWLEDGED, false);
        write("a2", A, 1, 20, 30, Outcome.FENCED, true);
        write("a3", A, 1, 40, 50, Outcome.ABORTED, true);
        write("a4", A, 1, 60, 70, Outcome.ACKNOWLEDGED, true);
        readBack.put("a4", 7L);
        Result result = check();
        assertThat(result.lost()).isEqualTo(1);
        assertThat(result.phantoms()).isEqualTo(2);
        assertThat(result.epochMismatches()).isEqualTo(1);
        assertThat(result.clean()).isFalse();
    }

    @Test
    void aReportedLossRangeMustCoverEveryMissingWriteAndNoPresentOne() {
        LsnRange range = LsnRange.parse("(0/100, 0/200]");
        assertThat(range).isEqualTo(new LsnRange(0x100, 0x200));
        write("kept", A, 1, 0, 1, Outcome.ACKNOWLEDGED, true, 0x80, 0x100);
        write("covered", A, 1, 2, 3, Outcome.ACKNOWLEDGED, false, 0x100, 0x180);
        timeline.add(2, B, 10);
        write("new-owner", B, 2, 20, 21, Outcome.ACKNOWLEDGED, true, 0x150, 0x160);   // the promoted one's WAL
        Result clean = HistoryChecker.check(history, P, timeline, readBack, Optional.of(range));
        assertThat(clean.clean()).as(clean.anomalies().toString()).isTrue();
        assertThat(clean.reportedLost()).isEqualTo(1);

        write("beyond", A, 1, 4, 5, Outcome.ACKNOWLEDGED, false, 0x200, 0x280);
        write("claimed", A, 1, 6, 7, Outcome.ACKNOWLEDGED, true, 0x120, 0x140);
        Result result = HistoryChecker.check(history, P, timeline, readBack, Optional.of(range));
        assertThat(result.lost()).as("missing outside the range").isEqualTo(1);
        assertThat(result.overReported()).as("present inside the range").isEqualTo(1);
    }
}
