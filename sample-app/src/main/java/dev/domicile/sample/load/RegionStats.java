package dev.domicile.sample.load;

import java.util.Arrays;

/**
 * What one region served during a load run: counts and round-trip latencies. Thread-safe (synchronized; the load
 * is a few hundred requests a second at most).
 */
final class RegionStats {

    private final String region;
    private long[] latencies = new long[256];
    private int requests;
    private int writes;
    private int away;
    private int forwarded;
    private int errors;

    RegionStats(String region) {
        this.region = region;
    }

    /**
     * Records a successful request; {@code away} if the user's home is another region, {@code forwarded} if this
     * region passed it on to the home, which answered.
     */
    synchronized void served(long nanos, boolean write, boolean away, boolean forwarded) {
        if (requests == latencies.length) {
            latencies = Arrays.copyOf(latencies, requests * 2);
        }
        latencies[requests++] = nanos;
        if (write) {
            writes++;
        }
        if (away) {
            this.away++;
        }
        if (forwarded) {
            this.forwarded++;
        }
    }

    /** Records a failed request sent to this region. */
    synchronized void failed() {
        errors++;
    }

    /** The figures so far, throughput over {@code elapsedSeconds}. */
    synchronized LoadReport.RegionFigures figures(double elapsedSeconds) {
        long[] sorted = Arrays.copyOf(latencies, requests);
        Arrays.sort(sorted);
        return new LoadReport.RegionFigures(region, requests, writes, requests - writes, away, forwarded, errors,
                elapsedSeconds > 0 ? requests / elapsedSeconds : 0, percentileMillis(sorted, 0.50),
                percentileMillis(sorted, 0.99));
    }

    /** The nearest-rank percentile of {@code sorted}, in milliseconds; 0 if empty. */
    static double percentileMillis(long[] sorted, double fraction) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
