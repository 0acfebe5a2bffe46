package dev.domicile.sample.edge;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The demo's stand-in for the CDN/DNS layer: sends each new client to its nearest healthy region. It polls every
 * region's {@code /health} every {@code pollInterval}; a region is healthy while its last check answered 200 (a
 * region whose health is DOWN answers 503), so one failed check steers new clients around it and one good check
 * brings them back. Clients already assigned keep their region until they ask again ({@link #route}).
 *
 * <p>Nearness is the regions' order, read as a ring: for the region at index {@code i}, the next nearest is at
 * {@code i + 1}, and so on. {@link #route} gives the first healthy region in that order from the client's nearest.
 *
 * <p>Thread-safe. {@link #start} checks every region once before it returns; {@link #close()} stops the poller (one
 * named platform thread) and its HTTP client.
 */
public final class Edge implements AutoCloseable {

    private final List<String> order;
    private final Map<String, URI> urls;
    private final Map<String, HealthProbe> probes = new LinkedHashMap<>();
    private final HttpClient http;
    private final ScheduledExecutorService poller;

    private Edge(Map<String, URI> regions, Duration timeout, Clock clock) {
        this.order = List.copyOf(regions.keySet());
        this.urls = Map.copyOf(regions);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        regions.forEach((region, url) -> probes.put(region, new HealthProbe(region, url, http, timeout, clock)));
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("domicile-edge-health").daemon(true).factory());
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.poller = executor;
    }

    /**
     * Starts polling {@code regions} (name to base URL, in the order that defines nearness).
     *
     * @param pollInterval time between two rounds of checks, at least 10 ms
     * @param timeout      per check; a region that does not answer within it is unreachable
     * @throws IllegalArgumentException if there is no region or a duration is out of range
     */
    public static Edge start(Map<String, URI> regions, Duration pollInterval, Duration timeout, Clock clock) {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("edge regions = {}: must name at least one region");
        }
        if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("edge pollInterval = " + pollInterval + ": must be at least 10ms");
        }
        if (!timeout.isPositive()) {
            throw new IllegalArgumentException("edge timeout = " + timeout + ": must be positive");
        }
        Edge edge = new Edge(new LinkedHashMap<>(regions), timeout, clock);
        edge.checkAll();
        edge.poller.scheduleWithFixedDelay(edge::checkAll, pollInterval.toMillis(), pollInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        return edge;
    }

    /** The regions, in the order that defines nearness. */
    public List<String> regions() {
        return order;
    }

    /** Every region's base URL. */
    public Map<String, URI> urls() {
        return urls;
    }

    /**
     * A new client nearest to {@code nearest}: the first healthy region from there on, counted as a client of it;
     * empty (and counted nowhere) if no region is healthy.
     *
     * @throws IllegalArgumentException if {@code nearest} is not a region
     */
    public Optional<String> route(String nearest) {
        int start = order.indexOf(nearest);
        if (start < 0) {
            throw new IllegalArgumentException("no region '" + nearest + "' at the edge; regions: " + order);
        }
        for (int k = 0; k < order.size(); k++) {
            HealthProbe probe = probes.get(order.get((start + k) % order.size()));
            if (probe.admitClient()) {
                return Optional.of(probe.region());
            }
        }
        return Optional.empty();
    }

    /** What the edge knows about every region, in order. */
    public List<RegionHealth> health() {
        List<RegionHealth> view = new ArrayList<>();
        probes.values().forEach(probe -> view.add(probe.view()));
        return view;
    }

    /** Checks every region now (also what the poller does each round). */
    public void checkAll() {
        probes.values().forEach(HealthProbe::check);
    }

    @Override
    public void close() {
        poller.shutdownNow();
        try {
            poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
    }
}
