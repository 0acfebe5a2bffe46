package dev.domicile.router;

import dev.domicile.partition.PartitionId;
import dev.domicile.partition.SiteId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The validated, immutable configuration of a {@link RoutingDataSource}. Build it with {@link #builder()}.
 *
 * @param localSite           the site this process runs in
 * @param endpoints           every endpoint, at least one primary per partition
 * @param readYourWritesWait  how long a read waits for a replica to reach the caller's token before it falls back
 * @param fallbackToPrimary   whether reads go to the primary when no replica qualifies (else they fail)
 * @param probeInterval       how often the monitor probes each endpoint that is up
 * @param probeTimeout        connect and socket timeout of a probe; an endpoint that does not answer within it is down
 * @param maxDownBackoff      the longest pause between probes of an endpoint that is down
 * @param defaultPartition    where connections without a routing context go; empty means they fail
 * @param maxPoolSize         HikariCP {@code maximumPoolSize} of each endpoint's pool
 * @param connectionTimeout   HikariCP {@code connectionTimeout}: how long a borrow waits for a pooled connection
 * @param degradedReadStaleness when present, degraded mode: if the home primary is unavailable, reads that no replica
 *                            serves at their consistency level go to a replica at most this stale (and say so);
 *                            empty means such reads fail with {@link HomeUnavailableException}
 * @param dialect             the database engine: PostgreSQL with replicas (primaries and replicas), or CockroachDB
 *                            (gateways only)
 * @param regions             {@link Dialect#COCKROACHDB} only: the CockroachDB region of each site whose region is not
 *                            named like the site (see {@link CockroachRegions})
 */
public record RouterConfig(SiteId localSite, List<EndpointConfig> endpoints, Duration readYourWritesWait,
                           boolean fallbackToPrimary, Duration probeInterval, Duration probeTimeout,
                           Duration maxDownBackoff, Optional<PartitionId> defaultPartition, int maxPoolSize,
                           Duration connectionTimeout, Optional<Duration> degradedReadStaleness, Dialect dialect,
                           Map<SiteId, String> regions) {

    public RouterConfig {
        Objects.requireNonNull(localSite, "localSite");
        Objects.requireNonNull(dialect, "dialect");
        endpoints = List.copyOf(endpoints);
        regions = Map.copyOf(regions);
        Objects.requireNonNull(defaultPartition, "defaultPartition");
        Objects.requireNonNull(degradedReadStaleness, "degradedReadStaleness");
        degradedReadStaleness.ifPresent(d -> positive("degradedReadStaleness", d, false));
        positive("readYourWritesWait", readYourWritesWait, true);
        positive("probeInterval", probeInterval, false);
        positive("probeTimeout", probeTimeout, false);
        positive("maxDownBackoff", maxDownBackoff, false);
        if (connectionTimeout == null || connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectionTimeout must be at least 250 ms (HikariCP's minimum), was "
                    + connectionTimeout);
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be >= 1, was " + maxPoolSize);
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: at least one endpoint is needed");
        }
        if (dialect == Dialect.COCKROACHDB) {
            CockroachRegions.validate(endpoints, regions, degradedReadStaleness);
        } else {
            validatePostgres(endpoints, defaultPartition, regions, dialect);
        }
    }

    private static void validatePostgres(List<EndpointConfig> endpoints, Optional<PartitionId> defaultPartition,
                                         Map<SiteId, String> regions, Dialect dialect) {
        if (!regions.isEmpty()) {
            throw new IllegalArgumentException("regions " + regions + ": CockroachDB regions apply to dialect"
                    + " COCKROACHDB only, the dialect is " + dialect);
        }
        Set<String> names = new HashSet<>();
        Set<PartitionId> withPrimary = new HashSet<>();
        Set<PartitionId> partitions = new HashSet<>();
        for (EndpointConfig endpoint : endpoints) {
            if (!names.add(endpoint.name())) {
                throw new IllegalArgumentException("endpoints: duplicate endpoint name '" + endpoint.name() + "'");
            }
            if (endpoint.role() == Role.GATEWAY) {
                throw new IllegalArgumentException("endpoint " + endpoint.name() + ": role GATEWAY needs dialect"
                        + " COCKROACHDB, the dialect is " + dialect);
            }
            partitions.add(endpoint.partition());
            if (endpoint.role() == Role.PRIMARY && !withPrimary.add(endpoint.partition())) {
                throw new IllegalArgumentException("endpoints: partition " + endpoint.partition()
                        + " has more than one primary");
            }
        }
        partitions.removeAll(withPrimary);
        if (!partitions.isEmpty()) {
            throw new IllegalArgumentException("endpoints: partitions without a primary: " + partitions);
        }
        defaultPartition.ifPresent(p -> {
            if (!withPrimary.contains(p)) {
                throw new IllegalArgumentException("defaultPartition " + p + " has no endpoints");
            }
        });
    }

    private static void positive(String key, Duration value, boolean zeroAllowed) {
        if (value == null || value.isNegative() || (!zeroAllowed && value.isZero())) {
            throw new IllegalArgumentException(key + " must be " + (zeroAllowed ? "zero or positive" : "positive")
                    + ", was " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RouterConfig}; defaults are listed on each setter. Not thread-safe. */
    public static final class Builder {
        private SiteId localSite;
        private final List<EndpointConfig> endpoints = new ArrayList<>();
        private Duration readYourWritesWait = Duration.ofMillis(50);
        private boolean fallbackToPrimary = true;
        private Duration probeInterval = Duration.ofMillis(200);
        private Duration probeTimeout = Duration.ofSeconds(2);
        private Duration maxDownBackoff = Duration.ofSeconds(5);
        private PartitionId defaultPartition;
        private int maxPoolSize = 10;
        private Duration connectionTimeout = Duration.ofSeconds(5);
        private Duration degradedReadStaleness;
        private Dialect dialect = Dialect.POSTGRESQL;
        private final Map<SiteId, String> regions = new HashMap<>();

        private Builder() {
        }

        /** Required. */
        public Builder localSite(SiteId site) {
            this.localSite = site;
            return this;
        }

        /** Adds an endpoint; at least one primary per partition is required. */
        public Builder endpoint(EndpointConfig endpoint) {
            endpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /** Default 50 ms. */
        public Builder readYourWritesWait(Duration wait) {
            this.readYourWritesWait = wait;
            return this;
        }

        /** Default true. */
        public Builder fallbackToPrimary(boolean fallback) {
            this.fallbackToPrimary = fallback;
            return this;
        }

        /** Default 200 ms. */
        public Builder probeInterval(Duration interval) {
            this.probeInterval = interval;
            return this;
        }

        /** Default 2 s. */
        public Builder probeTimeout(Duration timeout) {
            this.probeTimeout = timeout;
            return this;
        }

        /** Default 5 s. */
        public Builder maxDownBackoff(Duration backoff) {
            this.maxDownBackoff = backoff;
            return this;
        }

        /** Default: none, so a connection without a routing context fails. */
        public Builder defaultPartition(PartitionId partition) {
            this.defaultPartition = partition;
            return this;
        }

        /** Default 10. */
        public Builder maxPoolSize(int size) {
            this.maxPoolSize = size;
            return this;
        }

        /** Default 5 s. */
        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = timeout;
            return this;
        }

        /**
         * Default: off. Turns degraded mode on: while the home primary is unavailable, reads go to a replica at most
         * {@code maxStaleness} stale even if it misses the caller's token (the decision says
         * {@link RoutingDecision.Reason#DEGRADED_REPLICA}).
         */
        public Builder degradedReads(Duration maxStaleness) {
            this.degradedReadStaleness = maxStaleness;
            return this;
        }

        /**
         * Default {@link Dialect#POSTGRESQL}. With {@link Dialect#COCKROACHDB} every endpoint must be a
         * {@linkplain EndpointConfig#gateway gateway}.
         */
        public Builder dialect(Dialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /**
         * {@link Dialect#COCKROACHDB} only. Default: a site's region is named like the site. Names the CockroachDB
         * region (the {@code --locality=region=...} of its nodes, and a {@code crdb_region} value) of {@code site}.
         */
        public Builder region(SiteId site, String region) {
            regions.put(Objects.requireNonNull(site, "site"), region);
            return this;
        }

        /** @throws IllegalArgumentException naming the key, the value and the rule it breaks */
        public RouterConfig build() {
            if (localSite == null) {
                throw new IllegalArgumentException("localSite is required");
            }
            return new RouterConfig(localSite, endpoints, readYourWritesWait, fallbackToPrimary, probeInterval,
                    probeTimeout, maxDownBackoff, Optional.ofNullable(defaultPartition), maxPoolSize,
                    connectionTimeout, Optional.ofNullable(degradedReadStaleness), dialect, regions);
        }
    }
}
