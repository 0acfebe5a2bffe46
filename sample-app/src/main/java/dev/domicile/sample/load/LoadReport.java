package dev.domicile.sample.load;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a load run.
 *
 * @param regions      per region that served requests, in the order given to the generator
 * @param users        simulated users
 * @param elapsed      wall time of the run
 * @param violations   reads that lacked a note the same user had written before (must be 0)
 * @param errors       failed requests, all regions
 * @param errorSamples the first few failures' messages
 */
public record LoadReport(List<RegionFigures> regions, int users, Duration elapsed, long violations, long errors,
                         List<String> errorSamples) {

    public LoadReport {
        regions = List.copyOf(regions);
        errorSamples = List.copyOf(errorSamples);
    }

    /** Requests served, all regions. */
    public long requests() {
        return regions.stream().mapToLong(RegionFigures::requests).sum();
    }

    /** A table for the console. */
    public String format() {
        StringBuilder text = new StringBuilder();
        text.append(String.format("load: %d users, %d requests in %.1f s%n", users, requests(),
                elapsed.toMillis() / 1000.0));
        text.append(String.format("%-10s %8s %7s %7s %9s %10s %7s %8s %8s %7s%n", "region", "requests", "writes",
                "reads", "not-home", "forwarded", "req/s", "p50 ms", "p99 ms", "errors"));
        for (RegionFigures r : regions) {
            text.append(String.format("%-10s %8d %7d %7d %9d %10d %7.1f %8.1f %8.1f %7d%n", r.region(),
                    r.requests(), r.writes(), r.reads(), r.away(), r.forwarded(), r.throughput(), r.p50Millis(),
                    r.p99Millis(), r.errors()));
        }
        text.append(String.format("read-your-writes violations: %d%n", violations));
        errorSamples.forEach(sample -> text.append("error: ").append(sample).append(System.lineSeparator()));
        return text.toString();
    }

    /**
     * What one region served.
     *
     * @param region     the region
     * @param requests   successful requests
     * @param writes     of which writes
     * @param reads      of which reads
     * @param away       of which for users homed in another region
     * @param forwarded  of which passed on to the user's home region, which served them
     * @param errors     failed requests sent to it
     * @param throughput successful requests per second over the run
     * @param p50Millis  median round-trip time
     * @param p99Millis  99th percentile round-trip time
     */
    public record RegionFigures(String region, long requests, long writes, long reads, long away, long forwarded,
                                long errors,
                                double throughput, double p50Millis, double p99Millis) {
    }
}
