package dev.domicile.sample.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RegionStatsTest {

    @Test
    void percentilesAreNearestRankInMilliseconds() {
        long[] sorted = LongStream.rangeClosed(1, 100).map(ms -> ms * 1_000_000).toArray();
        assertThat(RegionStats.percentileMillis(sorted, 0.50)).isEqualTo(50.0);
        assertThat(RegionStats.percentileMillis(sorted, 0.99)).isEqualTo(99.0);
        assertThat(RegionStats.percentileMillis(new long[] {7_000_000}, 0.99)).isEqualTo(7.0);
        assertThat(RegionStats.percentileMillis(new long[0], 0.5)).isZero();
    }

    @Test
    void countsWritesReadsAwayForwardedAndErrorsAndThroughput() {
        RegionStats stats = new RegionStats("eu-west");
        for (int i = 0; i < 300; i++) {
            stats.served(1_000_000L * (300 - i), i % 3 == 0, i % 2 == 0, i % 5 == 0);
        }
        stats.failed();
        LoadReport.RegionFigures figures = stats.figures(2.0);
        assertThat(figures.requests()).isEqualTo(300);
        assertThat(figures.writes()).isEqualTo(100);
        assertThat(figures.reads()).isEqualTo(200);
        assertThat(figures.away()).isEqualTo(150);
        assertThat(figures.forwarded()).isEqualTo(60);
        assertThat(figures.errors()).isEqualTo(1);
        assertThat(figures.throughput()).isEqualTo(150.0);
        assertThat(figures.p50Millis()).isEqualTo(150.0);
        assertThat(figures.p99Millis()).isEqualTo(297.0);
    }
}
